import { fileURLToPath } from 'node:url';
import { Aws, CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { GLUE_RUN_END_EVENT_STATES } from '../../definitions/event-sources.js';
import { tables } from '../../definitions/resources.js';
import { RICH_PATH_PROGRESS_ITEM } from '../../functions/store/rich-path-progress-store.js';
import { readWindowConfig } from '../../glue/window-config.js';
import {
  GLUE_PACKAGE_DIR,
  GLUE_PACKAGE_EXCLUDE,
  GLUE_SCRIPT_PATH,
  GLUE_SQL_PATH,
  GLUE_STREAMING_JOB_DEFAULTS,
  GLUE_STREAMING_WORKER_TYPES,
  type GlueStreamingWorkerType,
} from './glue-streaming-job-defaults.js';
import { HandlerFunction } from './handler-function.js';
import { privateBucketProps } from './private-bucket.js';
import { grantTableAccess } from './table-access.js';

/** The custom resource's handler: starts the job on deploy, restarts it on a new definition. */
const STARTER_ENTRY = fileURLToPath(new URL('../../functions/handlers/glue-job-starter.ts', import.meta.url));

export interface GlueStreamingJobProps {
  readonly stream: kinesis.IStream;
  readonly tables: {
    readonly products: dynamodb.ITable;
    readonly orders: dynamodb.ITable;
    readonly aggregates: dynamodb.ITable;
    /** Where each committed batch's progress item goes (glue/job/clickprice/progress.py). */
    readonly pricingConfig: dynamodb.ITable;
  };
  /** @default 'G.025X' (GLUE_STREAMING_JOB_DEFAULTS) */
  readonly workerType?: GlueStreamingWorkerType;
  /** At least 2: a streaming job needs a driver and an executor. @default 2 */
  readonly numberOfWorkers?: number;
  /** One window (one micro-batch trigger). @default windowSizeSeconds of glue/window-config.json */
  readonly windowSize?: Duration;
  /** @default Duration.minutes(5) */
  readonly productsRefresh?: Duration;
  /**
   * Read the stream through an enhanced fan-out consumer of its own: 2 MB/s per shard for the job,
   * so it and the clickstream Lambda (on the shared 2 MB/s) never take each other's reads. Costs a
   * consumer-shard hour and a per-GB charge (README, Deploying). @default true
   */
  readonly enhancedFanOut?: boolean;
  /** What the batch-time and consumer-lag alarms do when they fire. @default - none */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
  /** Where the job's runs ending (SUCCEEDED, FAILED, TIMEOUT, STOPPED) are published. @default - nowhere */
  readonly jobStateTopic?: sns.ITopic;
  /** Asset paths, for tests. @default GLUE_SCRIPT_PATH, GLUE_SQL_PATH, GLUE_PACKAGE_DIR */
  readonly assets?: { readonly script?: string; readonly sql?: string; readonly packageDir?: string };
}

/**
 * The rich path's Glue streaming job: clicks stream → windows joined with products and orders (the
 * shared SQL) → one row per (product, window) in the aggregates table.
 *
 * - Script, SQL and the `clickprice` Python package are S3 assets; the job reads exactly those objects.
 * - A security configuration encrypts its CloudWatch logs, job bookmarks and S3 output with a
 *   customer-managed key, which also encrypts the checkpoint bucket (private, TLS only).
 * - A role of its own, no AWS managed policy: read on the stream (and its key), Scan on products,
 *   Query on the orders time-bucket index, BatchWriteItem on aggregates (no quarantine: the fast path keeps bad records), the checkpoint
 *   prefix, its log groups and its metrics.
 * - Bookmarks are off: a streaming job resumes from its Spark checkpoint instead.
 */
export class GlueStreamingJob extends Construct {
  public readonly job: glue.CfnJob;
  public readonly role: iam.Role;
  public readonly key: kms.Key;
  public readonly checkpointBucket: s3.Bucket;
  public readonly securityConfiguration: glue.CfnSecurityConfiguration;
  /** The job's log groups (continuous, output, error), made before Glue would make them without retention. */
  public readonly logGroups: readonly logs.LogGroup[];
  /** The job's enhanced fan-out consumer, unless enhancedFanOut is false. */
  public readonly consumer: kinesis.CfnStreamConsumer | null;
  /** A batch takes longer than its window: the job cannot keep up. */
  public readonly batchTimeAlarm: cloudwatch.Alarm;
  /** The job reads records more than three windows after they arrived. */
  public readonly consumerLagAlarm: cloudwatch.Alarm;
  /** Glue's state-change event for a run of this job that ended. */
  public readonly jobStateRule: events.Rule;
  /** Starts the job when it is deployed and restarts it when its definition changes. */
  public readonly starter: HandlerFunction;
  public readonly start: CustomResource;

  public constructor(scope: Construct, id: string, props: GlueStreamingJobProps) {
    super(scope, id);
    const defaults = GLUE_STREAMING_JOB_DEFAULTS;
    const workerType = props.workerType ?? defaults.workerType;
    const numberOfWorkers = props.numberOfWorkers ?? defaults.numberOfWorkers;
    if (!GLUE_STREAMING_WORKER_TYPES.includes(workerType)) {
      throw new Error(`GlueStreamingJob ${id}: workerType must be one of ${GLUE_STREAMING_WORKER_TYPES.join(', ')}`);
    }
    if (!Number.isInteger(numberOfWorkers) || numberOfWorkers < 2) {
      throw new Error(
        `GlueStreamingJob ${id}: numberOfWorkers must be an integer of at least 2, got ${numberOfWorkers}`,
      );
    }
    const windowSeconds = (props.windowSize ?? Duration.seconds(readWindowConfig().windowSizeSeconds)).toSeconds();
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the clickprice Glue job: its logs, bookmarks, S3 output and checkpoints',
      enableKeyRotation: true,
    });
    // CloudWatch Logs encrypts the job's log groups with the key; only log groups of Glue jobs.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws-glue/*`,
          },
        },
      }),
    );

    this.checkpointBucket = new s3.Bucket(this, 'CheckpointBucket', privateBucketProps(this.key));
    Validations.of(this.checkpointBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only Spark offset and commit logs and window plans (stream positions, no ' +
        'shopper data), read and written by the one Glue job role; it is private, TLS-only and KMS ' +
        'encrypted. Access logs would record nothing but that role, thousands of times a day.',
    });

    const script = new s3assets.Asset(this, 'Script', { path: props.assets?.script ?? GLUE_SCRIPT_PATH });
    const sql = new s3assets.Asset(this, 'Sql', { path: props.assets?.sql ?? GLUE_SQL_PATH });
    const pythonPackage = new s3assets.Asset(this, 'PythonPackage', {
      path: props.assets?.packageDir ?? GLUE_PACKAGE_DIR,
      exclude: [...GLUE_PACKAGE_EXCLUDE],
    });

    const securityConfigurationName = `${stack.stackName}-${id}`.slice(0, 255);
    this.securityConfiguration = new glue.CfnSecurityConfiguration(this, 'SecurityConfiguration', {
      name: securityConfigurationName,
      encryptionConfiguration: {
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: this.key.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: this.key.keyArn },
        s3Encryptions: [{ s3EncryptionMode: 'SSE-KMS', kmsKeyArn: this.key.keyArn }],
      },
    });

    this.consumer =
      (props.enhancedFanOut ?? true)
        ? new kinesis.CfnStreamConsumer(this, 'Consumer', {
            streamArn: props.stream.streamArn,
            consumerName: `${stack.stackName}-${id}`.slice(0, 128),
          })
        : null;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: 'Runs the clickprice Glue streaming job (clicks stream to aggregates table)',
    });
    this.grant(props, { script, sql, pythonPackage });

    const checkpointLocation = this.checkpointBucket.s3UrlForObject(defaults.checkpointPrefix);
    this.job = new glue.CfnJob(this, 'Job', {
      description: 'Rich path: clicks stream, windowed per product, to the aggregates table',
      role: this.role.roleArn,
      glueVersion: defaults.glueVersion,
      command: { name: 'gluestreaming', pythonVersion: '3', scriptLocation: script.s3ObjectUrl },
      workerType,
      numberOfWorkers,
      timeout: defaults.timeoutMinutes,
      maintenanceWindow: defaults.maintenanceWindow,
      securityConfiguration: this.securityConfiguration.ref,
      executionProperty: { maxConcurrentRuns: defaults.maxConcurrentRuns },
      maxRetries: defaults.maxRetries,
      defaultArguments: {
        '--job-language': 'python',
        '--extra-py-files': pythonPackage.s3ObjectUrl,
        '--stream_arn': props.stream.streamArn,
        ...(this.consumer ? { '--fanout_consumer_arn': this.consumer.attrConsumerArn } : {}),
        '--products_table': props.tables.products.tableName,
        '--orders_table': props.tables.orders.tableName,
        '--aggregates_table': props.tables.aggregates.tableName,
        '--pricing_config_table': props.tables.pricingConfig.tableName,
        // The catalogue's retention, so the job and the TypeScript store expire rows alike.
        '--aggregates_retention_days': String(tables.aggregates.ttl.retentionDays),
        '--checkpoint_location': checkpointLocation,
        '--window_size': `${windowSeconds} seconds`,
        '--order_grace_seconds': String(readWindowConfig().orderGraceSeconds),
        '--products_refresh_seconds': String(
          (props.productsRefresh ?? Duration.seconds(defaults.productsRefreshSeconds)).toSeconds(),
        ),
        '--sql_path': sql.s3ObjectUrl,
        '--enable-metrics': 'true',
        '--enable-continuous-cloudwatch-log': 'true',
        // A streaming job resumes from its checkpoint; bookmarks would track nothing.
        '--job-bookmark-option': 'job-bookmark-disable',
      },
    });
    this.job.node.addDependency(this.role);

    // Glue creates the log groups it writes to with no retention, so they would grow for ever: made
    // here first, with a month's retention and the job's key, under the names Glue uses with a
    // security configuration ("Enabling continuous logging for AWS Glue 4.0 and earlier jobs": the
    // continuous log group gets the configuration's name appended; the driver's output and error go
    // under "<configuration>-role/<role name>"). A stack whose job already ran has these groups:
    // delete or import them before deploying this. Deleted with the stack: a group kept under its
    // fixed name would make the stage's next deploy fail ("already exists"), and its logs expire anyway.
    const roleLogs = `/aws-glue/jobs/${securityConfigurationName}-role/${this.role.roleName}`;
    this.logGroups = (
      [
        ['ContinuousLogs', `/aws-glue/jobs/logs-v2-${securityConfigurationName}`],
        ['OutputLogs', `${roleLogs}/output`],
        ['ErrorLogs', `${roleLogs}/error`],
      ] as const
    ).map(
      ([logId, logGroupName]) =>
        new logs.LogGroup(this, logId, {
          logGroupName,
          retention: logs.RetentionDays.ONE_MONTH,
          encryptionKey: this.key,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
    );
    for (const logGroup of this.logGroups) this.job.node.addDependency(logGroup);

    // Started by the deploy: a custom resource whose properties carry the job's whole definition, so
    // any change to the script, package, SQL or arguments (the job updated before it) restarts the run.
    this.starter = new HandlerFunction(this, 'Starter', {
      entry: STARTER_ENTRY,
      serviceName: 'glue-job-starter',
      description: 'Starts the clickprice Glue streaming job on deploy; restarts it on a new definition',
      memorySize: 256,
      // Stopping a streaming run takes Glue a minute or two; the handler waits for it.
      timeout: Duration.minutes(14),
    });
    this.grantRuns(this.starter.role, ['glue:GetJobRuns', 'glue:BatchStopJobRun', 'glue:StartJobRun']);
    const provider = new cr.Provider(this, 'StarterProvider', { onEventHandler: this.starter.function });
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's custom-resource framework function (it relays CloudFormation's request to the starter and " +
        'its answer back) comes with this role; it runs only during deploys and does no work of its own.',
    });
    Validations.of(provider).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.starter.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: 'The framework may invoke the starter function and its versions: that one function, nothing else.',
    });
    this.start = new CustomResource(this, 'Start', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::GlueJobRun',
      properties: {
        JobName: this.job.ref,
        Definition: stack.toJsonString({
          glueVersion: this.job.glueVersion,
          command: this.job.command,
          workerType,
          numberOfWorkers,
          defaultArguments: this.job.defaultArguments,
        }),
      },
    });
    // The run needs its permissions in place: the role's policy, not only the role.
    this.start.node.addDependency(this.role);

    // Glue's driver reports both per job in the Glue namespace (JobRunId ALL): maxConsumerLagInMs is named
    // in full by the Kinesis source's emitConsumerLagMetrics docs; batchProcessingTimeInMs by "Visualizing
    // AWS Glue streaming metrics", and awsglue's forEachBatch reports it through StreamingSource. Their
    // Type dimension (count or gauge) is in no page we could read, and an alarm on the wrong one would
    // never see a datapoint: so each alarm reads both, the larger where one is there.
    const metric = (name: string) => {
      const ofType = (type: 'count' | 'gauge') =>
        new cloudwatch.Metric({
          namespace: 'Glue',
          metricName: name,
          dimensionsMap: { JobName: this.job.ref, JobRunId: 'ALL', Type: type },
          statistic: 'Maximum',
          period: Duration.minutes(1),
        });
      return new cloudwatch.MathExpression({
        expression: 'MAX([asCount, asGauge])',
        usingMetrics: { asCount: ofType('count'), asGauge: ofType('gauge') },
        period: Duration.minutes(1),
        label: name,
      });
    };
    // Missing data is not breaching: with no clicks there are no batches and no datapoints. A run
    // that ends is caught by the state-change rule below instead.
    this.batchTimeAlarm = new cloudwatch.Alarm(this, 'BatchTimeAlarm', {
      alarmDescription: `A micro-batch took longer than its ${windowSeconds} s window: the job falls behind (raise workers)`,
      metric: metric('glue.driver.streaming.batchProcessingTimeInMs'),
      threshold: windowSeconds * 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.consumerLagAlarm = new cloudwatch.Alarm(this, 'ConsumerLagAlarm', {
      alarmDescription: `The job reads clicks more than three ${windowSeconds} s windows after they arrived`,
      metric: metric('glue.driver.streaming.maxConsumerLagInMs'),
      threshold: 3 * windowSeconds * 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.batchTimeAlarm, this.consumerLagAlarm]) {
      alarm.addAlarmAction(...(props.alarmActions ?? []));
    }
    this.jobStateRule = new events.Rule(this, 'JobStateRule', {
      description: 'A run of the clickprice Glue streaming job ended: the rich path stopped aggregating',
      eventPattern: {
        source: ['aws.glue'],
        detailType: ['Glue Job State Change'],
        detail: { jobName: [this.job.ref], state: [...GLUE_RUN_END_EVENT_STATES] },
      },
      targets: props.jobStateTopic ? [new eventsTargets.SnsTopic(props.jobStateTopic)] : [],
    });
  }

  /** Lets `grantee` call these run actions (GetJobRuns, StartJobRun, …) on this job and no other. */
  public grantRuns(grantee: iam.IGrantable, actions: readonly `glue:${string}JobRun${string}`[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources: [Stack.of(this).formatArn({ service: 'glue', resource: 'job', resourceName: this.job.ref })],
      }),
    );
  }

  private grant(
    props: GlueStreamingJobProps,
    assets: { script: s3assets.Asset; sql: s3assets.Asset; pythonPackage: s3assets.Asset },
  ): void {
    const role = this.role;
    // Kinesis read (DescribeStream*, GetRecords, GetShardIterator, ListShards…) and kms:Decrypt on the stream key.
    props.stream.grantRead(role);
    // The enhanced fan-out consumer: subscribe to its shards' pushed records.
    if (this.consumer) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer'],
          resources: [this.consumer.attrConsumerArn],
        }),
      );
    }
    // ProductsSnapshot: a parallel Scan by segments; read_orders: Query of the time-bucket index; rows: batch_writer.
    grantTableAccess(role, props.tables.products, { actions: ['Scan'] });
    grantTableAccess(role, props.tables.orders, {
      actions: ['Query'],
      indexes: tables.orders.globalIndexes.map((index) => index.indexName),
    });
    grantTableAccess(role, props.tables.aggregates, { actions: ['BatchWriteItem'] });
    // record_progress: one item of the pricing-config table, by key; the config itself stays out of reach.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [props.tables.pricingConfig.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [RICH_PATH_PROGRESS_ITEM] } },
      }),
    );

    // The three objects the job reads, by key: not the whole asset bucket.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: Object.values(assets).map((asset) => asset.bucket.arnForObjects(asset.s3ObjectKey)),
      }),
    );
    // Spark's checkpoint and the job's window plans under the checkpoint prefix.
    const prefix = GLUE_STREAMING_JOB_DEFAULTS.checkpointPrefix;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.checkpointBucket.arnForObjects(`${prefix}*`)],
      }),
    );
    // Unconditioned on purpose: without ListBucket, a GetObject of a missing key (a first window plan)
    // answers AccessDenied instead of NoSuchKey, and S3 gives a GetObject no s3:prefix to match.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.checkpointBucket.bucketArn] }),
    );
    // Bookmarks (CSE-KMS), S3 output and checkpoints (SSE-KMS), log encryption association.
    this.key.grant(role, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
        resources: [`arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws-glue/*`],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
      }),
    );

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only cloudwatch:PutMetricData has Resource "*": it supports no resource-level permission, and ' +
        'the statement is conditioned on the Glue namespace (--enable-metrics).',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws-glue/*]',
      reason:
        'Glue names the job log groups itself under /aws-glue/ (with a security configuration, after ' +
        'its name and the role), and creates them at the first run; the statement is limited to that prefix.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.checkpointBucket.node.defaultChild as s3.CfnBucket)}.Arn>/${prefix}*]`,
      reason:
        'Spark names its offset, commit and state files itself; the objects are limited to the ' +
        "checkpoint prefix of the job's own bucket.",
    });
  }
}
