import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

const problems = (errors: ValidationError[], prefix = ''): string[] =>
  errors.flatMap((e) => [
    ...Object.values(e.constraints ?? {}).map((text) => `${prefix}${text}`),
    ...problems(e.children ?? [], `${prefix}${e.property}.`),
  ]);

/**
 * Validates and converts a query string into its DTO: unknown parameters and bad values are a
 * 400 `INVALID_QUERY` naming each problem. Used per route, so it never touches other modules.
 */
export const QUERY_PIPE = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: true,
  exceptionFactory: (errors) => {
    const list = problems(errors);
    return new BadRequestException({
      code: 'INVALID_QUERY',
      message: `The query is invalid: ${list.join('; ')}`,
      details: { problems: list },
    });
  },
});
