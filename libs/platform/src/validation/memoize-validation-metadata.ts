import { getMetadataStorage, type MetadataStorage } from 'class-validator';

type Lookup = MetadataStorage['getTargetValidationMetadatas'];
type Target = Parameters<Lookup>[0];
type Metadatas = ReturnType<Lookup>;

const installed = new WeakSet<MetadataStorage>();

/**
 * class-validator resolves a class's rules on every validated object, and to find inherited
 * ones it tests the class against every decorated class of the process (typestack/
 * class-validator#2686, open). In the pool master under 64 clients, where every command's
 * data is validated, that lookup was 2.4 % of the main thread's busy time (0.1 % with this).
 * A class's rules, its own and inherited, are all registered when it is defined, before
 * anything can validate one of it, and never change, so the answer per class and options is
 * kept. Call it once the app's modules are loaded.
 */
export function memoizeValidationMetadata(storage: MetadataStorage = getMetadataStorage()): void {
  if (installed.has(storage)) return;
  installed.add(storage);
  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const cache = new WeakMap<Target, Map<string, Metadatas>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = JSON.stringify([schema, always, strictGroups, groups ?? null]);
    let perClass = cache.get(target);
    if (!perClass) cache.set(target, (perClass = new Map<string, Metadatas>()));
    let metadatas = perClass.get(key);
    if (!metadatas)
      perClass.set(key, (metadatas = lookup(target, schema, always, strictGroups, groups)));
    return metadatas;
  };
}
