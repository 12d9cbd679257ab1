/** A URL path with each interpolated id encoded as one segment: `path\`/pools/${pool}\``. */
export const path = (strings: TemplateStringsArray, ...ids: string[]): string =>
  strings.reduce(
    (out, part, i) => out + part + (i < ids.length ? encodeURIComponent(ids[i]!) : ''),
    '',
  );
