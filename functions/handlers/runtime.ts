import { type DynamoDbDocuments, SignedDynamoDbDocuments } from '../store/dynamodb-documents.js';
import { environmentAwsConfig } from '../store/environment-aws-config.js';
import type { SdkClientConfig } from '../store/signed-aws-request.js';
import { type TableNames, tableNamesFromEnv } from '../store/table-names.js';
import { createInstrumentation, type HandlerInstrumentation } from './instrumentation.js';

/** What a handler that reads tables sets up once per execution environment (cold start). */
export interface HandlerRuntime extends HandlerInstrumentation {
  /** What signs and sends the function's AWS calls (DynamoDB's and the others' it makes). */
  readonly aws: SdkClientConfig;
  readonly documents: DynamoDbDocuments;
  readonly tableNames: TableNames;
}

/**
 * Builds a handler's runtime. The region and (locally) the endpoint come from the environment, as an
 * SDK client finds them, so the same code talks to DynamoDB in AWS and to DynamoDB Local under the
 * local stack.
 */
export function createHandlerRuntime(serviceName: string): HandlerRuntime {
  const aws = environmentAwsConfig();
  const documents = new SignedDynamoDbDocuments(aws, undefined);
  return { ...createInstrumentation(serviceName), aws, documents, tableNames: tableNamesFromEnv() };
}

/** Lambda's partial batch response for stream event sources. */
export interface PartialBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** Thrown when every record of a batch failed: Lambda then retries (or bisects) the batch as a whole. */
export class WholeBatchFailedError extends Error {
  constructor(records: number, firstReason: string) {
    super(`all ${records} records of the batch failed; the first: ${firstReason}`);
    this.name = 'WholeBatchFailedError';
  }
}

/**
 * The partial batch response of a batch processed as a whole (one write per key): each failed record's
 * identifier, in the batch's order (Lambda retries from the lowest sequence number among them). When
 * every record failed it throws instead, as Powertools' batch processor does, so the whole batch is retried.
 */
export function partialBatchResponse<TRecord>(
  records: readonly TRecord[],
  failures: ReadonlyMap<string, string>,
  identifierOf: (record: TRecord) => string,
): PartialBatchResponse {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  let firstReason: string | undefined;
  for (const record of records) {
    const itemIdentifier = identifierOf(record);
    const reason = failures.get(itemIdentifier);
    if (reason === undefined) continue;
    firstReason ??= reason;
    batchItemFailures.push({ itemIdentifier });
  }
  if (records.length > 0 && batchItemFailures.length === records.length) {
    throw new WholeBatchFailedError(records.length, firstReason as string);
  }
  return { batchItemFailures };
}
