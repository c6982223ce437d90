import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../definitions/local-services.js';
import {
  clicksStream,
  localStreamName,
  localTableName,
  STREAM_ENV_VAR,
  type TableId,
  tableEnvVar,
  tableIds,
  tables,
} from '../definitions/resources.js';
import { QUARANTINE_SPILL_DIR_ENV } from '../functions/store/raw-spill.js';
import { stopChild } from './child-process.js';
import { createLocalClients, type LocalClients, type LocalEndpoints } from './clients.js';
import { ensureStream, ensureTable } from './create-resources.js';
import { spawnDynamoDbLocal } from './dynamodb-local.js';
import { assertJavaAvailable } from './java.js';
import { spawnKinesalite } from './kinesis-local.js';
import { choosePort } from './ports.js';
import { waitUntilReady } from './wait-until-ready.js';

export interface LocalStackOptions {
  /**
   * Persist DynamoDB and Kinesis data here across restarts.
   * @default undefined (everything in memory)
   */
  readonly dataDir?: string;
  /** @default a free port */
  readonly dynamodbPort?: number;
  /** @default a free port */
  readonly kinesisPort?: number;
}

/** What a running local stack offers: where it is, what it holds, clients, and how to stop it. */
export interface LocalStackInfo {
  readonly endpoints: LocalEndpoints;
  readonly region: string;
  readonly tableNames: Readonly<Record<TableId, string>>;
  readonly streamName: string;
  readonly dataDir: string | null;
  /** Where the clickstream handler keeps bad records too big for their quarantine item (S3 in AWS). */
  readonly spillDir: string;
}

export interface LocalStack extends LocalStackInfo {
  readonly clients: LocalClients;
  /** Process ids of the two servers, so callers can check nothing outlives stop(). */
  readonly processIds: { readonly dynamodb: number | undefined; readonly kinesis: number | undefined };
  /** Stops both services; safe to call more than once. */
  stop(): Promise<void>;
}

/** Every local table name, by table id. */
export function localTableNames(): Record<TableId, string> {
  return Object.fromEntries(tableIds.map((id) => [id, localTableName(tables[id])])) as Record<TableId, string>;
}

/**
 * The environment a handler needs to run against the local stack exactly as on Lambda: the SDK's
 * service-specific endpoint variables route its clients here, and the table and stream variables
 * are the ones CDK sets on the deployed functions.
 */
export function localStackEnvironment(info: LocalStackInfo): Record<string, string> {
  const environment: Record<string, string> = {
    AWS_REGION: info.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: info.endpoints.dynamodb,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: info.endpoints.dynamodb,
    AWS_ENDPOINT_URL_KINESIS: info.endpoints.kinesis,
    [STREAM_ENV_VAR]: info.streamName,
    [QUARANTINE_SPILL_DIR_ENV]: info.spillDir,
    // Powertools: no EMF metrics on stdout and no X-Ray locally; warnings and errors only.
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
  for (const id of tableIds) environment[tableEnvVar(tables[id])] = info.tableNames[id];
  return environment;
}

/**
 * Starts DynamoDB Local and kinesalite on loopback, waits until both answer, and creates the stream
 * and every table of the catalogue. Preconditions (Java, requested ports) fail before anything starts.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  assertJavaAvailable();
  const dynamodbPort = await choosePort(options.dynamodbPort, 'DynamoDB Local', '--dynamodb-port');
  const kinesisPort = await choosePort(options.kinesisPort, 'kinesalite', '--kinesis-port');

  const dataDir = options.dataDir === undefined ? null : resolve(options.dataDir);
  const dynamodbPath = dataDir === null ? undefined : join(dataDir, 'dynamodb');
  const kinesisPath = dataDir === null ? undefined : join(dataDir, 'kinesis');
  for (const path of [dynamodbPath, kinesisPath]) if (path) mkdirSync(path, { recursive: true });
  // Kept with the data; an in-memory stack's spill goes when the stack does, as its tables do.
  const spillDir =
    dataDir === null ? mkdtempSync(join(tmpdir(), 'clickprice-spill-')) : join(dataDir, 'quarantine-spill');

  const dynamodbProcess = spawnDynamoDbLocal(dynamodbPort, dynamodbPath);
  const kinesisProcess = spawnKinesalite(kinesisPort, kinesisPath);
  const endpoints = { dynamodb: `http://127.0.0.1:${dynamodbPort}`, kinesis: `http://127.0.0.1:${kinesisPort}` };
  const clients = createLocalClients(endpoints);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      clients.destroy();
      await Promise.all([stopChild(dynamodbProcess.child), stopChild(kinesisProcess.child)]);
      if (dataDir === null) rmSync(spillDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    await Promise.all([
      waitUntilReady('DynamoDB Local', dynamodbProcess.child, dynamodbProcess.output, () =>
        clients.dynamodb.send(new ListTablesCommand({ Limit: 1 })),
      ),
      waitUntilReady('kinesalite', kinesisProcess.child, kinesisProcess.output, () =>
        clients.kinesis.send(new ListStreamsCommand({ Limit: 1 })),
      ),
    ]);
    const tableNames = localTableNames();
    const streamName = localStreamName(clicksStream);
    await Promise.all([
      ...tableIds.map((id) => ensureTable(clients.dynamodb, tables[id], tableNames[id])),
      ensureStream(clients.kinesis, clicksStream, streamName),
    ]);
    const processIds = { dynamodb: dynamodbProcess.child.pid, kinesis: kinesisProcess.child.pid };
    return { endpoints, region: LOCAL_REGION, tableNames, streamName, dataDir, spillDir, clients, processIds, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
