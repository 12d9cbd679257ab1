import { type Method } from '../http/http-client.js';

/** One command of the master's REST API, as the CLI sends it. */
export interface CommandRequest {
  method: Method;
  path: string;
  body?: Record<string, unknown>;
  /**
   * For a verb that creates something: the data field holding the new object's id, read back
   * from the outcome's first event (the master makes a UUID when the user gave none).
   */
  createdIdField?: string;
}

/** Leaves out the fields the user did not give, so the master applies its defaults. */
export function compact(fields: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
