export type { Command, CommandMetadata } from './command.js';
export type { Decider } from './decider.js';
export { DomainError, isDomainError, type DomainErrorKind } from './errors.js';
export type { Event, StoredEvent } from './event.js';
