import { applyDecorators, type Type } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { ApiErrorModel, pageSchema } from './read-api-models.js';

/** A read endpoint's OpenAPI: summary, 200 body (a page of `model`, or one), 400 and 404. */
export const ApiRead = (summary: string, model: Type, options: { page?: boolean } = {}) =>
  applyDecorators(
    ApiOperation({ summary }),
    options.page ? ApiOkResponse({ schema: pageSchema(model) }) : ApiOkResponse({ type: model }),
    ApiResponse({ status: 400, type: ApiErrorModel, description: 'Bad query' }),
    ApiResponse({ status: 404, type: ApiErrorModel, description: 'Unknown pool or id' }),
  );
