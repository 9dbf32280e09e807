// synapse-admin-openapi: a typed client for the Synapse User Admin API,
// built on openapi-fetch, with every type generated from the spec.
export { createSynapseAdminClient } from './client.js';
export type {
  CallOptions,
  OperationArgs,
  OperationData,
  OperationId,
  OperationInit,
  PageItem,
  PaginatedOperationId,
  RetryOptions,
  SynapseAdminClient,
  SynapseAdminClientOptions,
  SynapseAdminOperations,
} from './client.js';
export { MatrixApiError, SynapseAdminError, isMatrixError } from './errors.js';
export type { MatrixErrorBody, SynapseAdminErrorKind } from './errors.js';
export { OPERATIONS } from './operations.generated.js';
// The generated types: paths, operations, components and one alias per schema (User, UserSummary, …).
export type * from '../generated/schema.js';
