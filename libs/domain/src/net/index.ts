export * from './cidr.js';
export * from './ip.js';
export * from './mac.js';
