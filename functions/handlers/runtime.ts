import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type TableNames, tableNamesFromEnv } from '../store/table-names.js';

/** What every handler sets up once per execution environment (cold start), not per invocation. */
export interface HandlerRuntime {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableNames: TableNames;
}

/**
 * Builds a handler's runtime. The SDK finds its region and (locally) its endpoint in the environment,
 * so the same code talks to DynamoDB in AWS and to DynamoDB Local under the local stack.
 */
export function createHandlerRuntime(serviceName: string): HandlerRuntime {
  const instrumentation = createInstrumentation(serviceName);
  const documentClient = instrumentation.tracer.captureAWSv3Client(
    DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
  );
  return { ...instrumentation, documentClient, tableNames: tableNamesFromEnv() };
}

/** Logger, metrics and tracer alone, for a handler that reads no table (the dashboard's files). */
export function createInstrumentation(serviceName: string): Pick<HandlerRuntime, 'logger' | 'metrics' | 'tracer'> {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: 'clickprice', serviceName }),
    tracer: new Tracer({ serviceName }),
  };
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

/**
 * A handler with the Powertools middlewares every clickprice Lambda runs under. HTTP handlers pass
 * `captureResponse: false`: a trace should not hold ops data, and a response as large as the
 * dashboard's chart library would exceed what an X-Ray segment may carry.
 */
export function instrumented<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  runtime: Pick<HandlerRuntime, 'logger' | 'metrics' | 'tracer'>,
  options: { readonly captureResponse?: boolean } = {},
) {
  return middy(handler)
    .use(captureLambdaHandler(runtime.tracer, { captureResponse: options.captureResponse ?? true }))
    .use(injectLambdaContext(runtime.logger))
    .use(logMetrics(runtime.metrics));
}
