import { type EventSourceLike } from './live-stream.js';

/*
 * The few browser APIs the dashboard touches, typed here: the repository's tsconfig describes a
 * Node program (no DOM lib), and adding the DOM lib would change the types of every server file
 * (`setTimeout`, `fetch`, `Event`…). Only `main.ts` uses these; the renderers are pure.
 */

export interface DomElement {
  innerHTML: string;
  textContent: string | null;
  hidden: boolean;
  value: string;
  title: string;
  readonly dataset: Record<string, string | undefined>;
  readonly classList: {
    add(...tokens: string[]): void;
    remove(...tokens: string[]): void;
    toggle(token: string, force?: boolean): boolean;
    contains(token: string): boolean;
  };
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
  addEventListener(type: string, listener: (event: unknown) => void): void;
}

interface Storage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface BrowserGlobals {
  document: {
    getElementById(id: string): DomElement | null;
    readonly documentElement: DomElement;
    title: string;
  };
  location: { readonly search: string; readonly pathname: string; hash: string };
  addEventListener(type: string, listener: (event: unknown) => void): void;
  history: { replaceState(data: unknown, unused: string, url: string): void };
  localStorage: Storage;
  sessionStorage: Storage;
  EventSource: new (url: string) => EventSourceLike;
  matchMedia(query: string): { matches: boolean };
  /** Set once per page load: an e2e test proves live updates happen without a reload. */
  __loadId?: string;
}

export const browser = globalThis as unknown as BrowserGlobals;

export function byId(id: string): DomElement {
  const element = browser.document.getElementById(id);
  if (!element) throw new Error(`the dashboard page has no #${id}`);
  return element;
}
