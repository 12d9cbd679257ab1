import {
  type ArgumentMetadata,
  BadRequestException,
  Injectable,
  type PipeTransform,
} from '@nestjs/common';
import { isValidId, isValidPoolId, POOL_ID_RULE } from '@pool/domain';

/** Path parameters that name an entity of a pool (the pool itself: `pool`, by its own rule). */
const ID_PARAMS = new Set(['host', 'network', 'vm']);

/**
 * Checks every id in a read API path as the pool checks ids when they are created, before any
 * query: an id no pool could hold (a NUL byte, a space, 65 characters…) is a 400 `INVALID_ID`,
 * never a PostgreSQL error (a NUL is not valid text there) or a 500. A pool id follows the
 * master's stricter rule (lowercase, no `_`), so `Lab` is refused here as it is there. Other
 * parameters pass.
 */
@Injectable()
export class IdParamsPipe implements PipeTransform<unknown> {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const name = metadata.data;
    if (metadata.type !== 'param' || name === undefined) return value;
    if (name === 'pool') {
      if (typeof value === 'string' && isValidPoolId(value)) return value;
      throw new BadRequestException({
        code: 'INVALID_ID',
        message: `pool ${POOL_ID_RULE}`,
        details: { field: name },
      });
    }
    if (!ID_PARAMS.has(name)) return value;
    if (typeof value === 'string' && isValidId(value)) return value;
    throw new BadRequestException({
      code: 'INVALID_ID',
      message: `${name} must be 1–64 letters, digits, '_' or '-', starting with a letter or digit`,
      details: { field: name },
    });
  }
}
