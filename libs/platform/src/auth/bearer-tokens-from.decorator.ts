import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';
import { parseTokenList, readTokenFile, TokenProblems } from './token-parsing.js';

/**
 * For a config property bound to a token variable with `@Env`: parses it as it is loaded and
 * keeps only the hashes (`TokenEntry[]`), so the config object never holds a token. `list` is
 * `AUTH_TOKENS` (`role:token,...`); `file` is `AUTH_TOKENS_FILE`, a path read once at boot.
 * Problems come out as config errors (`AUTH_TOKENS_FILE line 3: ...`) without any value.
 */
export function BearerTokensFrom(source: 'list' | 'file'): PropertyDecorator {
  const transform = Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    return source === 'list' ? parseTokenList(value) : readTokenFile(value);
  });
  const validate = ValidateBy({
    name: 'bearerTokens',
    validator: {
      validate: (value: unknown) => value === undefined || Array.isArray(value),
      defaultMessage: (args) =>
        args?.value instanceof TokenProblems
          ? args.value.problems.join('; ')
          : 'must hold bearer tokens',
    },
  });
  return (target, property) => {
    transform(target, property);
    validate(target, property);
  };
}
