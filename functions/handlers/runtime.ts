import { type BatchProcessor, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
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

/**
 * The partial batch response of a batch processed as a whole: the handlers process a batch
 * collectively (one write per key), then the Powertools processor reports each record's outcome in
 * Lambda's response shape — and throws if every record failed, so Lambda retries it all.
 */
export function partialBatchResponse<TRecord extends KinesisStreamRecord | DynamoDBRecord>(
  event: { Records: TRecord[] },
  failures: ReadonlyMap<string, string>,
  identifierOf: (record: TRecord) => string,
  processor: BatchProcessor,
  context: Context,
) {
  return processPartialResponse(
    event,
    async (record: TRecord) => {
      const reason = failures.get(identifierOf(record));
      if (reason !== undefined) throw new Error(reason);
    },
    processor,
    { context },
  );
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
