import { pageHref, type ObjectPage } from './console/route.js';
import { html, type Html } from './html.js';

/**
 * A link to a console page from the overview's string-built cards (the console's own pages use
 * lit-html, console/links.ts); `html` escapes the label and the href.
 */
export const pageAnchor = (page: ObjectPage, id: string, label: string): Html =>
  html`<a class="page-link" href="${pageHref(page, id)}">${label}</a>`;
