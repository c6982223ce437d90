import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { UsageError } from '../cli/args.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../definitions/local-services.js';
import {
  clicksStream,
  localStreamName,
  localTableName,
  STREAM_ENV_VAR,
  tableEnvVar,
  tables,
} from '../definitions/resources.js';
import { SignedDynamoDbDocuments } from '../functions/store/dynamodb-documents.js';
import type { SimulationTarget } from './run-simulation.js';

/** Where the CLI's flags and environment say to send traffic. */
export type TargetPlan =
  /** Start an embedded local stack for the run, seeded, and stop it afterwards. */
  | { readonly kind: 'embedded' }
  /** Services at explicit endpoints (usually a running `npm start`); local names unless given. */
  | {
      readonly kind: 'endpoints';
      readonly kinesisEndpoint: string;
      readonly dynamodbEndpoint: string;
      readonly region: string;
      readonly names: TargetNames;
    }
  /** AWS itself, through the SDK's standard credential chain. */
  | { readonly kind: 'aws'; readonly region: string | undefined; readonly names: TargetNames };

export interface TargetNames {
  readonly streamName: string;
  readonly productsTable: string;
  readonly ordersTable: string;
}

export interface TargetFlags {
  readonly local?: boolean;
  readonly stream?: string;
  readonly region?: string;
  readonly productsTable?: string;
  readonly ordersTable?: string;
  readonly endpointKinesis?: string;
  readonly endpointDynamodb?: string;
}

/** The environment variables the local stack sets (and CDK sets on Lambda) for each setting. */
export const TARGET_ENV = {
  kinesisEndpoint: 'AWS_ENDPOINT_URL_KINESIS',
  dynamodbEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
  region: 'AWS_REGION',
  stream: STREAM_ENV_VAR,
  productsTable: tableEnvVar(tables.products),
  ordersTable: tableEnvVar(tables.orders),
} as const;

/**
 * Decides the target: `--local` → an embedded stack; endpoints (flags or AWS_ENDPOINT_URL_*) → those
 * services, with the local stack's names by default; a stream name (flag or CLICKS_STREAM_NAME) →
 * AWS, which then needs both table names; nothing at all → an embedded stack.
 */
export function planTarget(flags: TargetFlags, environment: NodeJS.ProcessEnv = process.env): TargetPlan {
  const explicitRemote = [
    flags.stream,
    flags.endpointKinesis,
    flags.endpointDynamodb,
    flags.productsTable,
    flags.ordersTable,
  ];
  if (flags.local) {
    if (explicitRemote.some((value) => value !== undefined)) {
      throw new UsageError('--local starts its own stack: drop --stream, --endpoint-* and --*-table, or drop --local');
    }
    return { kind: 'embedded' };
  }
  const kinesisEndpoint = flags.endpointKinesis ?? environment[TARGET_ENV.kinesisEndpoint];
  const dynamodbEndpoint = flags.endpointDynamodb ?? environment[TARGET_ENV.dynamodbEndpoint];
  const streamName = flags.stream ?? environment[TARGET_ENV.stream];
  const productsTable = flags.productsTable ?? environment[TARGET_ENV.productsTable];
  const ordersTable = flags.ordersTable ?? environment[TARGET_ENV.ordersTable];
  const region = flags.region ?? environment[TARGET_ENV.region];

  if (kinesisEndpoint !== undefined || dynamodbEndpoint !== undefined) {
    if (kinesisEndpoint === undefined || dynamodbEndpoint === undefined) {
      const missing = kinesisEndpoint === undefined ? '--endpoint-kinesis' : '--endpoint-dynamodb';
      throw new UsageError(`${missing} is needed too: give both endpoints (npm start prints them)`);
    }
    for (const [flag, url] of [
      ['--endpoint-kinesis', kinesisEndpoint],
      ['--endpoint-dynamodb', dynamodbEndpoint],
    ] as const) {
      if (!URL.canParse(url))
        throw new UsageError(`${flag} must be a URL such as http://127.0.0.1:4567, got ${JSON.stringify(url)}`);
    }
    return {
      kind: 'endpoints',
      kinesisEndpoint,
      dynamodbEndpoint,
      region: region ?? LOCAL_REGION,
      names: {
        streamName: streamName ?? localStreamName(clicksStream),
        productsTable: productsTable ?? localTableName(tables.products),
        ordersTable: ordersTable ?? localTableName(tables.orders),
      },
    };
  }
  if (streamName !== undefined) {
    if (productsTable === undefined || ordersTable === undefined) {
      throw new UsageError(
        'with --stream (AWS), also give --products-table and --orders-table (or set ' +
          `${TARGET_ENV.productsTable} and ${TARGET_ENV.ordersTable}); the stateful stack's outputs name them`,
      );
    }
    return { kind: 'aws', region, names: { streamName, productsTable, ordersTable } };
  }
  if (productsTable !== undefined || ordersTable !== undefined) {
    throw new UsageError('--products-table/--orders-table need --stream (AWS) or endpoints (a local stack)');
  }
  return { kind: 'embedded' };
}

/** A target ready to use, and how to let go of it. */
export interface OpenTarget {
  readonly target: SimulationTarget;
  readonly description: string;
  close(): Promise<void>;
}

/** HTTP/1.1 with keep-alive: kinesalite does not speak the Kinesis client's default HTTP/2. */
function http1Handler(): NodeHttpHandler {
  return new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) });
}

function documentClientOf(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Opens the planned target: builds clients for the services, or for an embedded stack calls
 * `openEmbedded` (local/simulation-target.ts: the local runtime sits above the simulator).
 */
export async function openTarget(plan: TargetPlan, openEmbedded: () => Promise<OpenTarget>): Promise<OpenTarget> {
  switch (plan.kind) {
    case 'embedded':
      return openEmbedded();
    case 'endpoints': {
      // Local services take any credentials; real ones from the environment win if set.
      const credentials = process.env.AWS_ACCESS_KEY_ID ? undefined : LOCAL_CREDENTIALS;
      const common = { region: plan.region, credentials, maxAttempts: 3 };
      const kinesis = new KinesisClient({ ...common, endpoint: plan.kinesisEndpoint, requestHandler: http1Handler() });
      const dynamodb = new DynamoDBClient({
        ...common,
        endpoint: plan.dynamodbEndpoint,
        requestHandler: http1Handler(),
      });
      const documentClient = documentClientOf(dynamodb);
      const documents = new SignedDynamoDbDocuments(dynamodb.config, plan.dynamodbEndpoint);
      return {
        target: { kinesis, documentClient, documents, ...plan.names },
        description: `endpoints kinesis ${plan.kinesisEndpoint}, dynamodb ${plan.dynamodbEndpoint}`,
        close: async () => {
          kinesis.destroy();
          documentClient.destroy();
          dynamodb.destroy();
        },
      };
    }
    case 'aws': {
      const kinesis = new KinesisClient({ region: plan.region });
      const dynamodb = new DynamoDBClient({ region: plan.region });
      const documentClient = documentClientOf(dynamodb);
      const documents = new SignedDynamoDbDocuments(dynamodb.config, undefined);
      return {
        target: { kinesis, documentClient, documents, ...plan.names },
        description: `AWS${plan.region ? ` ${plan.region}` : ''}, stream ${plan.names.streamName}`,
        close: async () => {
          kinesis.destroy();
          documentClient.destroy();
          dynamodb.destroy();
        },
      };
    }
  }
}
