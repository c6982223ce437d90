import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { STREAM_CONSUMER_TIMEOUT_SECONDS } from '../../definitions/event-sources.js';
import type { TableId } from '../../definitions/resources.js';
import { redriveTargetEnv } from '../../functions/domain/dead-letters.js';
import { GLUE_JOB_NAME_ENV } from '../../functions/store/glue-job-runs.js';
import { DynamoDBStreamConsumer } from '../constructs/dynamodb-stream-consumer.js';
import { GlueStreamingJob, type GlueStreamingJobProps } from '../constructs/glue-streaming-job.js';
import { HandlerFunction } from '../constructs/handler-function.js';
import { KinesisConsumer } from '../constructs/kinesis-consumer.js';
import { OpsDashboard } from '../constructs/ops-dashboard.js';
import { QuarantineSpill } from '../constructs/quarantine-spill.js';
import { grantTablesAccess, type TableAccess } from '../constructs/table-access.js';
import { resourceEnvironment, type StatefulResources } from './stateful-stack.js';

/**
 * What the clickstream handler does to each table, derived from functions/store as the fast path
 * uses it (functions/handlers/clickstream-processor.ts); orders and aggregates it never touches.
 */
export const CLICKSTREAM_TABLE_ACCESS = {
  // DemandStore.count: conditional UpdateItem per (product, minute), GetItem of the watermark after a
  // failed condition; DemandStore.minutes: Query of the baseline minutes.
  demand: { actions: ['UpdateItem', 'GetItem', 'Query'] },
  // QuarantineStore.put: BatchWriteItem of PutRequests.
  quarantine: { actions: ['BatchWriteItem'] },
  // PriceStore.readForDecision: BatchGetItem (with the history row); PriceStore.commit: the Update item
  // of the TransactWriteItems.
  products: { actions: ['BatchGetItem', 'UpdateItem'] },
  // readForDecision: BatchGetItem; commit: Query of the lowest-price window (base table, not the
  // byChangeHour index, which only the live feed reads) and the Put item of the transaction (also the
  // shadow-mode row); applyDecision: GetItem of the existing row after a lost transaction.
  priceHistory: { actions: ['BatchGetItem', 'GetItem', 'Query', 'PutItem'] },
  // PricingConfigStore.get: GetItem; commit: the ConditionCheck item (kill switch, shadow mode).
  pricingConfig: { actions: ['GetItem', 'ConditionCheckItem'] },
  // SessionLogStore: Query of the entries after the environment's position (or of a redelivery's
  // verdicts), conditional PutItem of the batch's entry.
  sessionLog: { actions: ['Query', 'PutItem'] },
} as const satisfies Partial<Record<TableId, TableAccess>>;

/**
 * What the aggregates handler does to each table, derived from functions/store as the rich path uses
 * it (functions/handlers/aggregates-processor.ts). On aggregates it only reads (the baseline Query;
 * reading the stream comes with the event source): it never writes the table whose stream invokes it,
 * so it cannot trigger itself. demand, orders and quarantine it never touches.
 */
export const AGGREGATES_TABLE_ACCESS = {
  // AggregatesStore.previousWindows: Query of the product's earlier windows.
  aggregates: { actions: ['Query'] },
  // PriceStore, as on the fast path: see CLICKSTREAM_TABLE_ACCESS.
  products: CLICKSTREAM_TABLE_ACCESS.products,
  priceHistory: CLICKSTREAM_TABLE_ACCESS.priceHistory,
  pricingConfig: CLICKSTREAM_TABLE_ACCESS.pricingConfig,
} as const satisfies Partial<Record<TableId, TableAccess>>;

/**
 * What the Glue run-events handler does to each table (PipelineControl.onRunEnded): reads the restart
 * item, and finishes it with its audit row in one transaction (the Update item, the history Put); after
 * a run timed out (GlueRunKeeper), puts the history row of the run it started.
 */
export const GLUE_RUN_EVENTS_TABLE_ACCESS = {
  pricingConfig: { actions: ['GetItem', 'UpdateItem'] },
  priceHistory: { actions: ['PutItem'] },
} as const satisfies Partial<Record<TableId, TableAccess>>;

/** A handler module of functions/handlers, by file name. */
function handlerEntry(name: string): string {
  return fileURLToPath(new URL(`../../functions/handlers/${name}.ts`, import.meta.url));
}

export interface PipelineStackProps extends StackProps {
  /** The stream, its key and the tables, from the stateful stack. */
  readonly resources: StatefulResources;
  /**
   * How long the functions' logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What every alarm of the stack does when it fires (an SNS topic action, for instance).
   *
   * @default - none: alarms change state and show on the console, nobody is notified
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
  /**
   * Removal policy of the spill bucket and its key (oversized bad records, kept 30 days).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly spillRemovalPolicy?: RemovalPolicy;
  /**
   * Sizing of the Glue streaming job, its enhanced fan-out consumer, and the SNS topic its ended runs
   * are published to (its alarms use alarmActions).
   *
   * @default - G.025X workers, 2 of them (GLUE_STREAMING_JOB_DEFAULTS), fan-out on, no topic
   */
  readonly glueJob?: Pick<GlueStreamingJobProps, 'workerType' | 'numberOfWorkers' | 'enhancedFanOut' | 'jobStateTopic'>;
}

/**
 * The stateless side of clickprice: the code that reads the stream and the tables the stateful stack
 * keeps. Today the fast path (the clickstream Lambda on the clicks stream) and the rich path's pricing
 * (the Glue streaming job writing the aggregates table, and the aggregates Lambda on its stream); the
 * HTTP APIs join it, each as a construct of its own that is given the stateful resources and granted only what it uses.
 */
export class PipelineStack extends Stack {
  public readonly clickstream: KinesisConsumer;
  public readonly aggregates: DynamoDBStreamConsumer;
  public readonly aggregation: GlueStreamingJob;
  public readonly quarantineSpill: QuarantineSpill;
  public readonly glueRunEvents: HandlerFunction;
  /** Redrives a consumer's dead letters from the stream by position; the pipeline API invokes it. */
  public readonly dlqRedrive: HandlerFunction;
  public readonly dashboard: OpsDashboard;

  public constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { resources } = props;

    this.clickstream = new KinesisConsumer(this, 'Clickstream', {
      stream: resources.clicksStream,
      function: {
        entry: handlerEntry('clickstream'),
        serviceName: 'clickstream',
        description: 'Fast path: clicks stream → demand counters → surge pricing',
        // Every table name, not just the granted ones: the handler runtime reads them all at cold start.
        environment: resourceEnvironment(resources),
        logRetention: props.logRetention,
      },
      alarmActions: props.alarmActions,
    });
    grantTablesAccess(this.clickstream.function, resources.tables, CLICKSTREAM_TABLE_ACCESS);
    // QuarantineStore.put: a bad record over 256 KB is kept whole in the spill bucket. The bucket is
    // here, beside its only writer, so the grant names it without a cross-stack import.
    this.quarantineSpill = new QuarantineSpill(this, 'QuarantineSpill', {
      removalPolicy: props.spillRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.quarantineSpill.grantSpill(this.clickstream.function);
    new CfnOutput(this, 'QuarantineSpillBucket', {
      description: 'Bad records too big for the quarantine table, whole (rawLocation of GET /ops/quarantine)',
      value: this.quarantineSpill.bucket.bucketName,
    });

    this.aggregates = new DynamoDBStreamConsumer(this, 'Aggregates', {
      table: resources.tables.aggregates,
      function: {
        entry: handlerEntry('aggregates'),
        serviceName: 'aggregates',
        description: 'Rich path: aggregates table stream → demand index → pricing',
        environment: resourceEnvironment(resources),
        logRetention: props.logRetention,
      },
      alarmActions: props.alarmActions,
    });
    grantTablesAccess(this.aggregates.function, resources.tables, AGGREGATES_TABLE_ACCESS);

    this.aggregation = new GlueStreamingJob(this, 'Aggregation', {
      stream: resources.clicksStream,
      tables: resources.tables,
      alarmActions: props.alarmActions,
      ...props.glueJob,
    });

    // A restart ops asked for (the pipeline API) starts its new run when Glue reports the old one ended;
    // a run that timed out is followed by a new one.
    this.glueRunEvents = new HandlerFunction(this, 'GlueRunEvents', {
      entry: handlerEntry('glue-run-events'),
      serviceName: 'glue-run-events',
      description:
        'Starts the Glue job run of a restart ops asked for once the old run ended, or the next run after a timeout',
      environment: { ...resourceEnvironment(resources), [GLUE_JOB_NAME_ENV]: this.aggregation.job.ref },
      memorySize: 256,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
    });
    grantTablesAccess(this.glueRunEvents.function, resources.tables, GLUE_RUN_EVENTS_TABLE_ACCESS);
    this.aggregation.grantRuns(this.glueRunEvents.function, ['glue:GetJobRuns', 'glue:StartJobRun']);
    this.aggregation.jobStateRule.addTarget(
      new eventsTargets.LambdaFunction(this.glueRunEvents.function, { retryAttempts: 8 }),
    );

    // POST /ops/pipeline/dlq/redrive invokes it: each consumer's queue, stream and function, read and
    // invoked by the redrive alone, so the API needs only to invoke this one function.
    this.dlqRedrive = new HandlerFunction(this, 'DlqRedrive', {
      entry: handlerEntry('dlq-redrive'),
      serviceName: 'dlq-redrive',
      description: 'Redrives a stream consumer’s dead letters: reads each batch back by position, invokes the consumer',
      environment: Object.fromEntries(
        (['clickstream', 'aggregates'] as const).flatMap((name) => {
          const consumer = name === 'clickstream' ? this.clickstream : this.aggregates;
          const env = redriveTargetEnv(name);
          return [
            [env.queueUrl, consumer.deadLetterQueue.queueUrl],
            [env.functionName, consumer.function.functionName],
          ];
        }),
      ),
      memorySize: 256,
      // The API's 10 s budget for new dead letters, plus the batch in flight (at most a consumer's own
      // timeout), with room to read the letters and the stream and delete them: twice the consumer's.
      timeout: Duration.seconds(2 * STREAM_CONSUMER_TIMEOUT_SECONDS),
      logRetention: props.logRetention,
      // Reading a table's stream: IAM has no resource type for ListStreams (grantStreamRead adds it).
      wildcardResourceActions: ['dynamodb:ListStreams'],
    });
    for (const consumer of [this.clickstream, this.aggregates]) {
      consumer.deadLetterQueue.grantConsumeMessages(this.dlqRedrive.function);
    }
    // The unqualified consumers only (grantInvoke would add every version and alias, `:*`).
    this.dlqRedrive.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.clickstream.function.functionArn, this.aggregates.function.functionArn],
      }),
    );
    resources.clicksStream.grantRead(this.dlqRedrive.function);
    resources.tables.aggregates.grantStreamRead(this.dlqRedrive.function);

    // What `npm run ops -- dlq redrive <consumer> --queue-url … --function-name …` takes.
    for (const [name, consumer] of [
      ['Clickstream', this.clickstream],
      ['Aggregates', this.aggregates],
    ] as const) {
      new CfnOutput(this, `${name}DeadLetterQueueUrl`, {
        description: `The ${name.toLowerCase()} consumer's dead-letter queue (--queue-url of npm run ops -- dlq redrive)`,
        value: consumer.deadLetterQueue.queueUrl,
      });
      new CfnOutput(this, `${name}FunctionName`, {
        description: `The ${name.toLowerCase()} consumer function (--function-name of npm run ops -- dlq redrive)`,
        value: consumer.function.functionName,
      });
    }

    // One per stage: the stack's name carries the stage (clickprice-<stage>-pipeline).
    this.dashboard = new OpsDashboard(this, 'Dashboard', {
      dashboardName: this.stackName,
      stream: resources.clicksStream,
    });
  }
}
