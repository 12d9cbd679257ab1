import 'reflect-metadata'; // implicit conversion reads design types through Reflect.getMetadata
import { Expose, plainToInstance, Transform } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

type ConfigClass<T> = new () => T;

/** Env var name per property, per config class (looked up along the prototype chain). */
const envNames = new WeakMap<object, Map<string, string>>();

/**
 * Binds a config property to an environment variable, e.g. `@Env('PORT') port = 3000`.
 * It is class-transformer's `@Expose({ name })` plus a record of the name, so errors can speak
 * in env var names (what the operator typed) rather than property names.
 */
export function Env(name: string): PropertyDecorator {
  const expose = Expose({ name });
  return (target, property) => {
    expose(target, property);
    const names = envNames.get(target.constructor) ?? new Map<string, string>();
    names.set(String(property), name);
    envNames.set(target.constructor, names);
  };
}

/**
 * Reads `true`/`false` (and 1/0, yes/no); anything else is left for validation to refuse.
 * It parses the variable as written: implicit conversion has already made the property's value
 * `Boolean(raw)` by the time a transform runs, and `Boolean('false')` is true.
 */
export const EnvBoolean = (): PropertyDecorator => (target, property) =>
  Transform(({ value, obj }: { value: unknown; obj: Record<string, unknown> }) => {
    const name = envNameOf(target.constructor as ConfigClass<unknown>, String(property));
    const raw = name === undefined ? value : obj[name];
    if (typeof raw !== 'string') return value;
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    return raw;
  })(target, property);

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Builds and validates a config object from environment variables, once, at boot.
 *
 * - Properties without a variable keep their initializer, so defaults live in the class.
 * - Empty variables count as unset (compose files often pass `PORT=${PORT:-}`).
 * - Strings become numbers through the property's design type (implicit conversion), so
 *   annotate it: `port: number = 3000`, as an inferred type is emitted as `Object`. Booleans
 *   would need a `@Transform`, since `Boolean('false')` is true.
 * - Throws one `ConfigError` naming every bad variable. Values are never included, so a
 *   malformed secret cannot leak into logs.
 */
export function loadConfig<T extends object>(
  cls: ConfigClass<T>,
  env: Record<string, string | undefined> = process.env,
): T {
  const plain = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const config = plainToInstance(cls, plain, {
    excludeExtraneousValues: true,
    exposeDefaultValues: true,
    enableImplicitConversion: true,
  });
  const errors = validateSync(config, {
    validationError: { target: false, value: false },
    // One reason per variable: "PORT must be an integer", not also "must be 1 to 65535".
    stopAtFirstError: true,
  });
  if (errors.length > 0) {
    throw new ConfigError(errors.map((error) => describe(cls, error)));
  }
  return config;
}

function describe(cls: ConfigClass<unknown>, error: ValidationError): string {
  const variable = envNameOf(cls, error.property) ?? error.property;
  const messages = Object.values(error.constraints ?? {}).map((message) =>
    // Default class-validator messages start with the property name; say the variable once.
    message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
  );
  return `${variable} ${[...new Set(messages)].join(', ')}`;
}

function envNameOf(cls: ConfigClass<unknown>, property: string): string | undefined {
  for (let c: unknown = cls; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    const name = envNames.get(c)?.get(property);
    if (name !== undefined) return name;
  }
  return undefined;
}
