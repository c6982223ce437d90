import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
  const tracer = new Tracer({ serviceName });
  const documentClient = tracer.captureAWSv3Client(
    DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
  );
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: 'clickprice', serviceName }),
    tracer,
    documentClient,
    tableNames: tableNamesFromEnv(),
  };
}
