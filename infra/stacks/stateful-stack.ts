import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import {
  clicksStream,
  type KeyAttribute,
  type KeyAttributeType,
  STREAM_ENV_VAR,
  type StreamViewType,
  type TableDefinition,
  type TableId,
  tableEnvVar,
  tableIds,
  tables,
} from '../../definitions/resources.js';
import { Alerts, type AlertsProps } from '../constructs/alerts.js';
import { DataAlarms } from '../constructs/data-alarms.js';
import { OpsUserPool } from '../constructs/ops-user-pool.js';

/** Removal policies a stateful stack accepts: keep the data, or (dev stacks only) delete it. */
const SUPPORTED_REMOVAL_POLICIES: readonly RemovalPolicy[] = [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY];

const ATTRIBUTE_TYPES = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
} as const satisfies Record<KeyAttributeType, dynamodb.AttributeType>;

const STREAM_VIEW_TYPES = {
  NEW_IMAGE: dynamodb.StreamViewType.NEW_IMAGE,
  OLD_IMAGE: dynamodb.StreamViewType.OLD_IMAGE,
  NEW_AND_OLD_IMAGES: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  KEYS_ONLY: dynamodb.StreamViewType.KEYS_ONLY,
} as const satisfies Record<StreamViewType, dynamodb.StreamViewType>;

/** The stateful resources a stateless stack (Lambdas, Glue job) takes as props. */
export interface StatefulResources {
  /** Every table of the catalogue, by table id. */
  readonly tables: Readonly<Record<TableId, dynamodb.Table>>;
  /** The clicks Kinesis stream. */
  readonly clicksStream: kinesis.Stream;
  /** The customer-managed key encrypting the clicks stream; readers and writers need it granted. */
  readonly streamKey: kms.Key;
}

/**
 * How the clicks stream is sized: a shard count (provisioned: each shard takes 1,000 records/s or
 * 1 MB/s of puts and serves 2 MB/s of reads), or on-demand (Kinesis adds capacity as traffic grows,
 * up to double the previous peak at once, for a per-GB price).
 */
export type StreamCapacity = { readonly mode: 'provisioned'; readonly shards: number } | { readonly mode: 'on-demand' };

export interface StatefulStackProps extends StackProps {
  /**
   * What happens to the tables, the stream and its key when they leave the stack or the stack is
   * deleted. `RETAIN` also turns on table deletion protection; `DESTROY` is for throw-away dev stacks.
   * The ops user pool follows it too.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly dataRemovalPolicy?: RemovalPolicy;
  /**
   * Prefix of the ops user pool's Cognito domain (sign-in pages and token endpoint). Unique per
   * region across all AWS accounts, hence the account id.
   *
   * @default - `<stack name, lower case>-<account id>`
   */
  readonly opsDomainPrefix?: string;
  /**
   * Who is paged when an alarm of the stage fires (every alarm of every stack publishes to the
   * stage's alerts topic).
   *
   * @default - nobody subscribed: the topic exists and alarms publish to it, nobody reads it
   */
  readonly alertSubscribers?: Pick<AlertsProps, 'emails' | 'httpsUrls'>;
  /** @default - provisioned, `clicksStream.shardCount` shards (definitions/resources.ts) */
  readonly streamCapacity?: StreamCapacity;
}

/**
 * The stream and the tables, built from the resource catalogue (`definitions/resources.ts`), and the ops
 * user pool (its users are state too; the API stack adds the app clients and the authorizer).
 *
 * No physical names are set: CloudFormation names every resource, so two stages can share an account.
 * Code finds the names through the environment variables of {@link resourceEnvironment}.
 */
export class StatefulStack extends Stack implements StatefulResources {
  public readonly tables: Readonly<Record<TableId, dynamodb.Table>>;
  public readonly clicksStream: kinesis.Stream;
  public readonly streamKey: kms.Key;
  /** Who may call the ops API: the user pool, the `clickprice` resource server and the Cognito domain. */
  public readonly opsUsers: OpsUserPool;
  /** The stage's alerts topic, which every alarm publishes to. */
  public readonly alerts: Alerts;
  /** Throttling of the stream, the tables and their indexes. */
  public readonly dataAlarms: DataAlarms;

  public constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.dataRemovalPolicy ?? RemovalPolicy.RETAIN;
    if (!SUPPORTED_REMOVAL_POLICIES.includes(removalPolicy)) {
      throw new Error(`StatefulStack: dataRemovalPolicy must be RETAIN or DESTROY, got ${removalPolicy}`);
    }

    this.streamKey = new kms.Key(this, `${clicksStream.id}Key`, {
      description: `Encrypts the ${clicksStream.name} Kinesis stream of clickprice`,
      enableKeyRotation: true,
      removalPolicy,
      // Takes effect only when the key is deleted (DESTROY): the shortest window, as dev stacks come and go.
      pendingWindow: Duration.days(7),
    });

    const capacity = props.streamCapacity ?? { mode: 'provisioned', shards: clicksStream.shardCount };
    if (capacity.mode === 'provisioned' && !(Number.isInteger(capacity.shards) && capacity.shards >= 1)) {
      throw new Error(`StatefulStack: streamCapacity.shards must be a whole number from 1, got ${capacity.shards}`);
    }
    this.clicksStream = new kinesis.Stream(this, clicksStream.id, {
      ...(capacity.mode === 'on-demand'
        ? { streamMode: kinesis.StreamMode.ON_DEMAND }
        : { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: capacity.shards }),
      retentionPeriod: Duration.hours(clicksStream.retentionHours),
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: this.streamKey,
      removalPolicy,
    });
    Validations.of(this.clicksStream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason:
        'The customer-managed key is deliberate: with it, reading shopper click events needs kms:Decrypt ' +
        'on this key as well as kinesis:GetRecords, and only the consumers granted read (clickstream ' +
        'Lambda, Glue job) get it; the aws/kinesis key lets any principal with stream access decrypt. ' +
        'Its KMS cost stays small because Kinesis reuses each data key for minutes, not per record.',
    });
    new CfnOutput(this, `${clicksStream.id}Name`, {
      description: `${clicksStream.description} (${STREAM_ENV_VAR})`,
      value: this.clicksStream.streamName,
    });

    const built = {} as Record<TableId, dynamodb.Table>;
    for (const tableId of tableIds) {
      built[tableId] = buildTable(this, tables[tableId], removalPolicy);
    }
    this.tables = built;

    this.alerts = new Alerts(this, 'Alerts', { ...props.alertSubscribers, removalPolicy });
    this.dataAlarms = new DataAlarms(this, 'DataAlarms', {
      stream: this.clicksStream,
      tables: built,
      alarmAction: this.alerts.alarmAction,
    });
    new CfnOutput(this, 'AlertsTopicArn', {
      description: 'The SNS topic every clickprice alarm publishes to (subscribe the people on call)',
      value: this.alerts.topic.topicArn,
    });

    this.opsUsers = new OpsUserPool(this, 'OpsUsers', {
      removalPolicy,
      domainPrefix: props.opsDomainPrefix ?? `${this.stackName.toLowerCase()}-${Aws.ACCOUNT_ID}`,
    });
    new CfnOutput(this, 'OpsUserPoolId', {
      description: 'The Cognito user pool of ops users (add people with admin-create-user)',
      value: this.opsUsers.userPool.userPoolId,
    });
    new CfnOutput(this, 'OpsAuthUrl', {
      description: 'The Cognito domain of the ops user pool: sign-in pages and the /oauth2/token endpoint',
      value: this.opsUsers.domain.baseUrl(),
    });
  }
}

/**
 * The environment variables that carry physical names to Lambda code: `tableEnvVar(def)` for every
 * table of the catalogue and `STREAM_ENV_VAR` for the clicks stream.
 */
export function resourceEnvironment(resources: StatefulResources): Record<string, string> {
  const environment: Record<string, string> = { [STREAM_ENV_VAR]: resources.clicksStream.streamName };
  for (const tableId of tableIds) {
    environment[tableEnvVar(tables[tableId])] = resources.tables[tableId].tableName;
  }
  return environment;
}

function buildTable(scope: Stack, definition: TableDefinition, removalPolicy: RemovalPolicy): dynamodb.Table {
  const table = new dynamodb.Table(scope, definition.id, {
    partitionKey: attribute(definition.partitionKey),
    sortKey: definition.sortKey && attribute(definition.sortKey),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    stream: definition.stream && STREAM_VIEW_TYPES[definition.stream],
    timeToLiveAttribute: definition.ttl?.attribute,
    deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    removalPolicy,
  });
  for (const index of definition.globalIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: index.sortKey && attribute(index.sortKey),
      projectionType: dynamodb.ProjectionType[index.projection],
    });
  }
  new CfnOutput(scope, `${definition.id}TableName`, {
    description: `${definition.description} (${tableEnvVar(definition)})`,
    value: table.tableName,
  });
  return table;
}

function attribute(key: KeyAttribute): dynamodb.Attribute {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}
