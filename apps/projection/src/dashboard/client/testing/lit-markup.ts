import { nothing, type TemplateResult } from 'lit-html';

/*
 * A lit-html template as markup, for unit tests without a DOM: its strings with every value
 * put in, templates and lists recursively, text escaped. Event and property bindings
 * (`@click=`, `.value=`) come out as empty attributes: tests read text and classes, not them.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};

const isTemplate = (value: unknown): value is TemplateResult =>
  typeof value === 'object' && value !== null && 'strings' in value && 'values' in value;

function valueMarkup(value: unknown): string {
  if (isTemplate(value)) return litMarkup(value);
  if (Array.isArray(value)) return value.map(valueMarkup).join('');
  if (value === nothing || value === null || value === undefined) return '';
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    return ''; // event handlers, directives: nothing a test reads as text
  }
  return String(value).replace(/[&<>"]/g, (c) => ESCAPES[c] ?? c);
}

export function litMarkup(template: TemplateResult): string {
  let out = template.strings[0] ?? '';
  template.values.forEach((value, i) => {
    // An unquoted attribute binding (`data-key=${key}`) comes out quoted, as a browser reads it.
    const text = valueMarkup(value);
    out += (out.endsWith('=') ? `"${text}"` : text) + (template.strings[i + 1] ?? '');
  });
  return out;
}
