import {
  type ArgumentMetadata,
  BadRequestException,
  Injectable,
  type PipeTransform,
} from '@nestjs/common';
import { isValidId } from '@pool/domain';

/** Path parameters that name a pool or an entity of one. */
const ID_PARAMS = new Set(['pool', 'host', 'network', 'vm']);

/**
 * Checks every id in a read API path as the pool checks ids when they are created, before any
 * query: an id no pool could hold (a NUL byte, a space, 65 characters…) is a 400 `INVALID_ID`,
 * never a PostgreSQL error (a NUL is not valid text there) or a 500. Other parameters pass.
 */
@Injectable()
export class IdParamsPipe implements PipeTransform<unknown> {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const name = metadata.data;
    if (metadata.type !== 'param' || name === undefined || !ID_PARAMS.has(name)) return value;
    if (typeof value === 'string' && isValidId(value)) return value;
    throw new BadRequestException({
      code: 'INVALID_ID',
      message: `${name} must be 1–64 letters, digits, '_' or '-', starting with a letter or digit`,
      details: { field: name },
    });
  }
}
