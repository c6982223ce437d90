import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GlueClient } from '@aws-sdk/client-glue';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../definitions/local-services.js';
import { type DynamoDbDocuments, SignedDynamoDbDocuments } from '../functions/store/dynamodb-documents.js';
import type { StreamApis } from '../functions/store/stream-batch-reader.js';
import { DynamoDBStreamsRecordsApi, KinesisRecordsApi } from '../functions/store/stream-records-api.js';

/** Where the local services listen. */
export interface LocalEndpoints {
  readonly dynamodb: string;
  readonly kinesis: string;
}

/** Ready-made SDK clients for the local services. */
export interface LocalClients {
  readonly dynamodb: DynamoDBClient;
  /** The SDK's document client: for tools and tests that read or seed tables as a user would. */
  readonly documentClient: DynamoDBDocumentClient;
  /** What the stores are given, as the functions give it to them (signed with the DynamoDB client's config). */
  readonly documents: DynamoDbDocuments;
  readonly dynamodbStreams: DynamoDBStreamsClient;
  readonly kinesis: KinesisClient;
  /** What a dead-letter redrive reads the streams with, as the functions read them (signed with the clients' configs). */
  readonly streams: StreamApis;
  destroy(): void;
}

/**
 * HTTP/1.1 with keep-alive. kinesalite only speaks HTTP/1 (the Kinesis client's default HTTP/2
 * handler fails against it), and reusing sockets keeps loopback round trips near a millisecond.
 */
function http1Handler(): NodeHttpHandler {
  return new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) });
}

/** Builds clients for endpoints, e.g. in a test worker from what the global setup provided. */
export function createLocalClients(endpoints: LocalEndpoints): LocalClients {
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 3 };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb, requestHandler: http1Handler() });
  const documentClient = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const documents = new SignedDynamoDbDocuments(dynamodb.config, endpoints.dynamodb);
  const dynamodbStreams = new DynamoDBStreamsClient({
    ...common,
    endpoint: endpoints.dynamodb,
    requestHandler: http1Handler(),
  });
  const kinesis = new KinesisClient({ ...common, endpoint: endpoints.kinesis, requestHandler: http1Handler() });
  const streams: StreamApis = {
    kinesis: new KinesisRecordsApi(kinesis.config, endpoints.kinesis),
    dynamodbStreams: new DynamoDBStreamsRecordsApi(dynamodbStreams.config, endpoints.dynamodb),
  };
  return {
    dynamodb,
    documentClient,
    documents,
    dynamodbStreams,
    kinesis,
    streams,
    destroy() {
      documentClient.destroy();
      dynamodb.destroy();
      dynamodbStreams.destroy();
      kinesis.destroy();
    },
  };
}

/** A client of the local Glue API (local-glue-service.ts); tests pass `maxAttempts: 1` to see Glue's errors at once. */
export function localGlueClient(endpoint: string, options: { readonly maxAttempts?: number } = {}): GlueClient {
  return new GlueClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint,
    requestHandler: http1Handler(),
    ...options,
  });
}
