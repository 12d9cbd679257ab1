import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from './html.js';

describe('html', () => {
  it('escapes interpolated text, attributes included', () => {
    const name = `<img src=x onerror="alert('x')">&`;
    expect(html`<td title="${name}">${name}</td>`.value).toBe(
      '<td title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;">' +
        '&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</td>',
    );
  });

  it('keeps nested markup and lists, and renders null, undefined and false as nothing', () => {
    const rows = ['a<', 'b'].map((x) => html`<li>${x}</li>`);
    const markup = html`<ul>
      ${rows}${null}${undefined}${false}${0}
    </ul>`;
    expect(markup.value.replace(/\s+/g, '')).toBe('<ul><li>a&lt;</li><li>b</li>0</ul>');
  });

  it('escapes every character that can end an attribute or open a tag', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
