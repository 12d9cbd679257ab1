import 'reflect-metadata';
import {
  getMetadataStorage,
  IsInt,
  IsString,
  validateSync,
  type MetadataStorage,
} from 'class-validator';
import { describe, expect, it, vi } from 'vitest';
import { memoizeValidationMetadata } from './memoize-validation-metadata.js';

class Base {
  @IsString()
  name!: string;
}

class Child extends Base {
  @IsInt()
  count!: number;

  @IsInt({ groups: ['strict'] })
  limit!: number;
}

/** The global storage's rules behind a lookup the test counts. */
function countedStorage() {
  const global = getMetadataStorage();
  const storage = Object.create(global) as MetadataStorage;
  const lookup = vi.fn(global.getTargetValidationMetadatas.bind(storage));
  storage.getTargetValidationMetadatas = lookup;
  return { global, storage, lookup };
}

describe('memoizeValidationMetadata', () => {
  it('answers as class-validator does, own and inherited rules, per options', () => {
    const { global, storage } = countedStorage();
    memoizeValidationMetadata(storage);
    const properties = (strictGroups: boolean, groups?: string[]) =>
      storage
        .getTargetValidationMetadatas(Child, '', false, strictGroups, groups)
        .map((m) => m.propertyName)
        .sort();
    for (const strict of [false, true]) {
      for (const groups of [undefined, ['strict']]) {
        expect(storage.getTargetValidationMetadatas(Child, '', false, strict, groups)).toEqual(
          global.getTargetValidationMetadatas(Child, '', false, strict, groups),
        );
      }
    }
    expect(properties(false)).toEqual(['count', 'limit', 'name']);
    expect(properties(true)).toEqual(['count', 'name']);
    expect(properties(false, ['strict'])).toEqual(['limit']);
  });

  it('looks a class up once per set of options', () => {
    const { storage, lookup } = countedStorage();
    memoizeValidationMetadata(storage);
    memoizeValidationMetadata(storage); // a second install changes nothing
    for (let i = 0; i < 3; i++) {
      storage.getTargetValidationMetadatas(Child, '', false, false, undefined);
      storage.getTargetValidationMetadatas(Child, '', false, false, ['strict']);
      storage.getTargetValidationMetadatas(Base, '', false, false, undefined);
    }
    expect(lookup).toHaveBeenCalledTimes(3);
  });

  it('leaves validation results as they were (installed on the global storage)', () => {
    const child = Object.assign(new Child(), { name: 7, count: 'x', limit: 'y' });
    const before = validateSync(child).map((e) => e.property);
    memoizeValidationMetadata();
    expect(validateSync(child).map((e) => e.property)).toEqual(before);
    expect(before.sort()).toEqual(['count', 'limit', 'name']);
  });
});
