import { html, nothing, svg, type TemplateResult } from 'lit-html';

const WIDTH = 64;
const HEIGHT = 22;

/**
 * A small trend line of a rate (oldest first), scaled to its own peak: inline SVG, no library,
 * readable beside a number. Nothing to draw under two points.
 */
export function sparkline(
  values: readonly number[],
  label: string,
): TemplateResult | typeof nothing {
  if (values.length < 2) return nothing;
  const peak = Math.max(...values, 1);
  const step = WIDTH / (values.length - 1);
  const points = values
    .map(
      (v, i) => `${(i * step).toFixed(1)},${(HEIGHT - 1 - (v / peak) * (HEIGHT - 2)).toFixed(1)}`,
    )
    .join(' ');
  return html`<svg
    class="spark"
    viewBox="0 0 ${WIDTH} ${HEIGHT}"
    width=${WIDTH}
    height=${HEIGHT}
    role="img"
    aria-label=${label}
  >
    ${svg`<polyline points=${points} fill="none" stroke="currentColor" stroke-width="1.5" />`}
  </svg>`;
}
