import { Injectable, type PipeTransform } from '@nestjs/common';
import { assertPoolId } from '../validate-command.js';

/** The `:pool` of a URL, checked as every transport checks a pool id. */
@Injectable()
export class PoolIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    assertPoolId(value);
    return value;
  }
}
