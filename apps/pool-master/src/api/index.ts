// The pool master's REST API and the command validation every transport shares.
export { ApiModule, API_CONTROLLERS } from './api.module.js';
export { ApiExceptionFilter, type ApiErrorBody } from './http/api-exception.filter.js';
export { setupOpenApi, OPENAPI_PATH } from './openapi/setup-openapi.js';
export { useStrictJsonBodies } from './http/json-body-parser.js';
export {
  assertPoolId,
  fieldsError,
  validateCommand,
  type FieldProblem,
} from './validate-command.js';
export {
  COMMAND_SCHEMAS,
  isCommandType,
  type CommandType,
} from './command-schemas/command-schemas.js';
