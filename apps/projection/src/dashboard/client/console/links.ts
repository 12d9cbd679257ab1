import { html, type TemplateResult } from 'lit-html';
import { pageHref, type ObjectPage } from './route.js';

/*
 * Links to the console's pages. lit-html escapes every text and attribute binding, so a name
 * or MAC typed by a user is text, never markup; hrefs always start with `#/`.
 */

export const pageLink = (page: ObjectPage, id: string, label: string = id): TemplateResult =>
  html`<a class="page-link" href=${pageHref(page, id)}>${label}</a>`;

/** A `kind/id` key of the log (`vms/web-1`) as a link to its page, when it has one. */
export function objectLink(key: string, label: string = key): TemplateResult {
  const slash = key.indexOf('/');
  const kind = key.slice(0, slash);
  const id = key.slice(slash + 1);
  const page = OBJECT_PAGES[kind];
  return page ? pageLink(page, id, label) : html`<span class="mono">${label}</span>`;
}

const OBJECT_PAGES: Record<string, ObjectPage> = {
  vms: 'vm',
  hosts: 'host',
  networks: 'network',
  vifs: 'port',
};
