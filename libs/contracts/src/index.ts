export * from './subjects.js';
export * from './events.js';
export * from './commands.js';
export * from './reports.js';
export * from './read-vifs.js';
export * from './read-security-groups.js';
export * from './snapshot-wire.js';
