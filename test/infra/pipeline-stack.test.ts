import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { aggregatesEventSource } from '../../definitions/event-sources.js';
import { STREAM_ENV_VAR, type TableId, tableEnvVar, tableIds, tables } from '../../definitions/resources.js';
import { QUARANTINE_SPILL_BUCKET_ENV } from '../../functions/store/raw-spill.js';
import { buildApp } from '../../infra/build-app.js';
import { DynamoDBStreamConsumer } from '../../infra/constructs/dynamodb-stream-consumer.js';
import { LAZY_SDK_MODULES_NEVER_LOADED } from '../../infra/constructs/handler-function-defaults.js';
import { KinesisConsumer } from '../../infra/constructs/kinesis-consumer.js';
import { grantTableAccess } from '../../infra/constructs/table-access.js';
import { PipelineStack } from '../../infra/stacks/pipeline-stack.js';
import { StatefulStack } from '../../infra/stacks/stateful-stack.js';
import { cdkJsonContext, noBundling } from '../helpers/cdk-context.js';
import { acknowledgementsUnder } from '../helpers/nag-acknowledgements.js';

// Built once for the whole file: constructing the pipeline stack bundles the handler with esbuild.
// Template tests use an app without the nag plugin, so a finding fails the cdk-nag tests below by
// name instead of failing Template.fromStack, and with it every test of this file.
const app = new App({ context: cdkJsonContext });
const stateful = new StatefulStack(app, 'Stateful');
const pipeline = new PipelineStack(app, 'Pipeline', { resources: stateful });
const assembly = app.synth();
const template = Template.fromStack(pipeline);

const consumer = pipeline.clickstream;
const functionId = logicalId(pipeline, consumer.function);
const roleId = logicalId(pipeline, consumer.handler.role);
const queueId = logicalId(pipeline, consumer.deadLetterQueue);
const spillBucketId = logicalId(pipeline, pipeline.quarantineSpill.bucket);

function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** How the pipeline stack refers to a value of the stateful stack (an import of its export). */
function imported(value: string): unknown {
  return pipeline.resolve(value);
}

interface Statement {
  readonly actions: readonly string[];
  readonly resources: readonly unknown[];
}

/** Every Allow statement of every policy attached to a role (the clickstream one unless told), normalized to arrays. */
function roleStatements(role = roleId): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: role }]) },
  });
  return Object.values(policies).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Record<string, unknown>[])
      .filter((statement) => statement.Effect === 'Allow')
      .map((statement) => ({
        actions: [statement.Action].flat() as string[],
        resources: [statement.Resource].flat(),
      })),
  );
}

/**
 * Everything the role may do on one resource, whichever statements grant it: policy minimization
 * may merge or split statements, the effective permissions stay the same.
 */
function actionsOn(resource: unknown, role = roleId): string[] {
  const key = JSON.stringify(resource);
  const actions = roleStatements(role)
    .filter((statement) => statement.resources.some((r) => JSON.stringify(r) === key))
    .flatMap((statement) => statement.actions);
  return [...new Set(actions)].sort();
}

describe('PipelineStack clickstream function', () => {
  it('runs on Node.js 22 or newer, on arm64, with active X-Ray tracing', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: Match.stringLikeRegexp('^nodejs(2[2-9]|[3-9]\\d)\\.x$'),
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('runs the handler export of an esbuild bundle uploaded as an S3 asset', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Code: { S3Bucket: Match.anyValue(), S3Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.zip$') },
    });
  });

  it('bundles ESM with a source map, needing no require(), leaving out the SDK modules it never loads', () => {
    const manifest = JSON.parse(readFileSync(join(assembly.directory, `${pipeline.artifactId}.assets.json`), 'utf8'));
    const { S3Key } = template.findResources('AWS::Lambda::Function')[functionId]?.Properties.Code ?? {};
    const asset = manifest.files[String(S3Key).replace(/\.zip$/, '')];
    const bundleDir = join(assembly.directory, asset.source.path);

    const bundle = readFileSync(join(bundleDir, 'index.mjs'), 'utf8');

    expect(existsSync(join(bundleDir, 'index.mjs.map'))).toBe(true);
    // esbuild's stand-in for require() in an ESM bundle, which throws when called.
    expect(bundle).not.toContain('Dynamic require of');
    // What it imports at run time rather than carrying: only those modules, and Node's own.
    const imported = new Set([...bundle.matchAll(/import\("([^"]+)"\)/g)].map((match) => match[1] as string));
    const external = [...imported].filter((specifier) => !specifier.startsWith('node:'));
    expect(external.length).toBeGreaterThan(0);
    // Never a static import of a package: one Lambda cannot resolve would fail every cold start.
    expect(bundle).not.toMatch(/\bfrom\s*"@/);
    expect(
      external.filter((specifier) => !(LAZY_SDK_MODULES_NEVER_LOADED as readonly string[]).includes(specifier)),
    ).toEqual([]);
  });

  it('has 1024 MB and a 30 s timeout, logs to its own log group kept a month', () => {
    const logGroupId = logicalId(pipeline, consumer.handler.logGroup);

    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 30,
      LoggingConfig: { LogGroup: { Ref: logGroupId } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('finds every table and the stream by environment variable, beside the Powertools and Node settings', () => {
    const expected: Record<string, unknown> = {
      [STREAM_ENV_VAR]: imported(stateful.clicksStream.streamName),
      POWERTOOLS_SERVICE_NAME: 'clickstream',
      POWERTOOLS_METRICS_NAMESPACE: 'clickprice',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    for (const id of tableIds) expected[tableEnvVar(tables[id])] = imported(stateful.tables[id].tableName);
    expected[QUARANTINE_SPILL_BUCKET_ENV] = { Ref: spillBucketId };

    const fn = template.findResources('AWS::Lambda::Function')[functionId];

    expect(fn?.Properties.Environment.Variables).toEqual(expected);
  });

  it('has a role of its own with no AWS managed policy', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Role: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('may write only to its own log group', () => {
    const logGroupArn = { 'Fn::GetAtt': [logicalId(pipeline, consumer.handler.logGroup), 'Arn'] };
    const logStatements = roleStatements().filter((s) => s.actions.some((a) => a.startsWith('logs:')));

    expect(logStatements).toEqual([
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroupArn] },
    ]);
  });
});

describe('PipelineStack clickstream event source', () => {
  it('reads the clicks stream from the oldest record, in batches of up to 500 records or 1 s', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: imported(stateful.clicksStream.streamArn),
      FunctionName: { Ref: functionId },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 1,
    });
  });

  it('bisects failing batches, takes partial batch responses, and bounds retries and record age', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 3600,
    });
  });

  it('runs one invocation per shard at a time, which the in-memory session state relies on', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ParallelizationFactor: 1 });
  });

  it('sends the position of a batch it gives up on to its dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(actionsOn({ 'Fn::GetAtt': [queueId, 'Arn'] })).toEqual([
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
  });

  it('has an encrypted dead-letter queue that keeps messages 14 days and refuses requests without TLS', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: Duration.days(14).toSeconds(),
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      }),
    });
  });

  it('may read the stream and decrypt its records with the stream key', () => {
    expect(actionsOn(imported(stateful.clicksStream.streamArn))).toEqual(
      expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards']),
    );
    expect(actionsOn(imported(stateful.streamKey.keyArn))).toEqual(['kms:Decrypt']);
  });
});

describe('PipelineStack clickstream table access (least privilege)', () => {
  // What functions/store does on the fast path. Batch and single-item actions are separate IAM
  // actions; each item of a TransactWriteItems needs its single-item action.
  const expected: Record<TableId, string[]> = {
    // conditional counter UpdateItem, watermark GetItem, baseline Query
    demand: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    // BatchWriteItem of bad records
    quarantine: ['dynamodb:BatchWriteItem'],
    // BatchGetItem with the history row, Update item of the price transaction
    products: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
    // BatchGetItem, GetItem after a lost transaction, Query of the 30-day window, Put item of the transaction
    priceHistory: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
    // GetItem of the config, ConditionCheck item of the price transaction
    pricingConfig: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem'],
    // Query of the session log after the environment's position, conditional PutItem of the batch's entry
    sessionLog: ['dynamodb:PutItem', 'dynamodb:Query'],
    orders: [],
    aggregates: [],
  };

  it.each(tableIds)('grants exactly the actions the fast path uses on table %s', (id) => {
    expect(actionsOn(imported(stateful.tables[id].tableArn))).toEqual(expected[id]);
  });

  it('grants DynamoDB actions on the granted tables themselves only: no index, no wildcard', () => {
    const tableArns = tableIds.map((id) => JSON.stringify(imported(stateful.tables[id].tableArn)));
    const dynamoStatements = roleStatements().filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')));

    expect(dynamoStatements.length).toBeGreaterThan(0);
    for (const statement of dynamoStatements) {
      expect(statement.actions.every((a) => a.startsWith('dynamodb:'))).toBe(true);
      for (const resource of statement.resources) expect(tableArns).toContain(JSON.stringify(resource));
    }
  });

  it('grants no DynamoDB wildcard, Scan or DeleteItem', () => {
    const actions = roleStatements().flatMap((s) => s.actions);

    expect(actions.filter((a) => a.startsWith('dynamodb:') && (a.includes('*') || /Scan|Delete/.test(a)))).toEqual([]);
  });

  it('has a wildcard resource only in the X-Ray statement, which supports no other, and the spill prefix', () => {
    const wildcards = roleStatements().filter((s) => s.resources.some((r) => JSON.stringify(r).includes('*')));

    expect(wildcards).toEqual([
      { actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resources: ['*'] },
      {
        actions: ['s3:PutObject'],
        resources: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [spillBucketId, 'Arn'] }, '/quarantine/*']] }],
      },
    ]);
  });
});

describe('PipelineStack Glue run events (finishing a restart ops asked for)', () => {
  const eventsRole = logicalId(pipeline, pipeline.glueRunEvents.role);

  it('is invoked by the rule on the end of a run of the job, retried by EventBridge', () => {
    const rule = template.findResources('AWS::Events::Rule')[logicalId(pipeline, pipeline.aggregation.jobStateRule)];
    expect(rule?.Properties.Targets).toContainEqual(
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalId(pipeline, pipeline.glueRunEvents.function), 'Arn'] },
      }),
    );
  });

  it('may only list and start runs of that job, and finish the restart item with its audit row', () => {
    const glue = roleStatements(eventsRole).filter((s) => s.actions.some((a) => a.startsWith('glue:')));
    expect(glue.flatMap((s) => s.actions).sort()).toEqual(['glue:GetJobRuns', 'glue:StartJobRun']);
    expect(actionsOn(imported(stateful.tables.pricingConfig.tableArn), eventsRole)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actionsOn(imported(stateful.tables.priceHistory.tableArn), eventsRole)).toEqual(['dynamodb:PutItem']);
    for (const id of ['products', 'demand', 'aggregates', 'quarantine', 'orders'] as const) {
      expect(actionsOn(imported(stateful.tables[id].tableArn), eventsRole)).toEqual([]);
    }
  });
});

describe('PipelineStack quarantine spill (bad records over the item limit)', () => {
  const spillKeyId = logicalId(pipeline, pipeline.quarantineSpill.key);

  it('keeps them in a private, TLS-only bucket encrypted with its own rotating key, for as long as the quarantine table', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [spillKeyId, 'Arn'] },
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [{ Prefix: 'quarantine/', Status: 'Enabled', ExpirationInDays: tables.quarantine.ttl.retentionDays }],
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('too big for the quarantine table'),
      EnableKeyRotation: true,
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: spillBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect(template.findResources('AWS::S3::Bucket')[spillBucketId]?.DeletionPolicy).toBe('Retain');
  });

  it('lets the clickstream function put objects there, with a data key of the bucket key', () => {
    expect(actionsOn({ 'Fn::GetAtt': [spillKeyId, 'Arn'] })).toEqual(['kms:GenerateDataKey']);
  });

  it('lets no other function of the stack near it', () => {
    const others = [pipeline.aggregates.handler.role, pipeline.aggregation.role, pipeline.aggregation.starter.role];
    for (const role of others) {
      const statements = roleStatements(logicalId(pipeline, role));
      expect(JSON.stringify(statements)).not.toContain(spillBucketId);
      expect(JSON.stringify(statements)).not.toContain(spillKeyId);
    }
  });
});

describe('PipelineStack clickstream alarms', () => {
  it('alarms when the iterator age stays above 60 s for 3 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 60_000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it('alarms on the first message in the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms when invocations keep failing', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms when records keep arriving on the stream for five minutes and the consumer is not invoked once', () => {
    // Iterator age comes only from batches the consumer got: a disabled mapping reports none.
    const stalled = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmDescription: Match.stringLikeRegexp('not invoked at all') },
      }),
    );
    expect(stalled).toHaveLength(1);
    const properties = stalled[0]?.Properties;
    expect(properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'notBreaching',
    });
    const byId = Object.fromEntries(properties.Metrics.map((metric: { Id: string }) => [metric.Id, metric]));
    const expression = properties.Metrics.find((metric: { Expression?: string }) => metric.Expression).Expression;
    expect(expression).toBe('incoming > 0 AND FILL(invocations, 0) == 0');
    expect(byId.incoming.MetricStat).toMatchObject({
      Metric: { Namespace: 'AWS/Kinesis', MetricName: 'IncomingRecords', Dimensions: [{ Name: 'StreamName' }] },
      Period: 60,
      Stat: 'Sum',
    });
    expect(byId.invocations.MetricStat).toMatchObject({
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: 'Invocations',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      },
      Period: 60,
      Stat: 'Sum',
    });
  });

  it('notifies nobody by default, and the given actions from every alarm when asked', () => {
    expect(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmActions: Match.anyValue() } }),
    ).toEqual({});

    const notifying = new App({ context: noBundling });
    const resources = new StatefulStack(notifying, 'Stateful');
    const topic = new sns.Topic(new Stack(notifying, 'Ops'), 'Alarms');
    const withTopic = new PipelineStack(notifying, 'Notifying', {
      resources,
      alarmActions: [new cloudwatchActions.SnsAction(topic)],
    });
    const alarms = Template.fromStack(withTopic).findResources('AWS::CloudWatch::Alarm');

    // Three per stream consumer (clickstream and aggregates), the clickstream one's stalled alarm, and
    // the Glue job's batch time and lag.
    expect(Object.keys(alarms)).toHaveLength(9);
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([withTopic.resolve(topic.topicArn)]);
    }
  });
});

describe('PipelineStack aggregates consumer', () => {
  const aggregates = pipeline.aggregates;
  const aggregatesFunctionId = logicalId(pipeline, aggregates.function);
  const aggregatesRoleId = logicalId(pipeline, aggregates.handler.role);
  const aggregatesQueueId = logicalId(pipeline, aggregates.deadLetterQueue);
  const mapping = () =>
    Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { FunctionName: { Ref: aggregatesFunctionId } },
      }),
    ).map((resource) => resource.Properties);

  it('runs the aggregates handler module with every table name in its environment', () => {
    const fn = template.findResources('AWS::Lambda::Function')[aggregatesFunctionId];

    expect(fn?.Properties.Environment.Variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'aggregates',
      [tableEnvVar(tables.aggregates)]: imported(stateful.tables.aggregates.tableName),
      [tableEnvVar(tables.products)]: imported(stateful.tables.products.tableName),
    });
    expect(fn?.Properties.Role).toEqual({ 'Fn::GetAtt': [aggregatesRoleId, 'Arn'] });
  });

  it('reads the aggregates table stream from the oldest record, new and rewritten rows only', () => {
    const [properties, ...others] = mapping();

    expect(others).toEqual([]);
    expect(properties).toMatchObject({
      EventSourceArn: imported(stateful.tables.aggregates.tableStreamArn ?? ''),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      FilterCriteria: { Filters: [{ Pattern: expect.any(String) }] },
    });
    expect(properties?.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual([
      { eventName: ['INSERT', 'MODIFY'] },
    ]);
  });

  it('uses the very filter the local poller runs with', () => {
    expect(mapping()[0]?.FilterCriteria).toEqual(aggregatesEventSource.filterCriteria);
  });

  it('bisects failing batches, takes partial batch responses, bounds retries and record age, and has a DLQ', () => {
    expect(mapping()[0]).toMatchObject({
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 900,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [aggregatesQueueId, 'Arn'] } } },
    });
    expect(actionsOn({ 'Fn::GetAtt': [aggregatesQueueId, 'Arn'] }, aggregatesRoleId)).toEqual([
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
  });

  it('may read the aggregates stream, and list streams, which IAM allows only on "*"', () => {
    expect(actionsOn(imported(stateful.tables.aggregates.tableStreamArn ?? ''), aggregatesRoleId)).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
    ]);
    const wildcards = roleStatements(aggregatesRoleId).filter((s) => s.resources.includes('*'));
    expect(wildcards.flatMap((s) => s.actions).sort()).toEqual([
      'dynamodb:ListStreams',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  // What functions/store does on the rich path: the baseline Query, then the price store's actions.
  const expected: Record<TableId, string[]> = {
    aggregates: ['dynamodb:Query'],
    products: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
    priceHistory: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
    pricingConfig: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem'],
    demand: [],
    orders: [],
    quarantine: [],
    sessionLog: [],
  };

  it.each(tableIds)('grants exactly the actions the rich path uses on table %s', (id) => {
    expect(actionsOn(imported(stateful.tables[id].tableArn), aggregatesRoleId)).toEqual(expected[id]);
  });

  it('cannot write the aggregates table, so it can never trigger itself', () => {
    const aggregatesArn = JSON.stringify(imported(stateful.tables.aggregates.tableArn));
    const onAggregates = roleStatements(aggregatesRoleId).filter((s) =>
      s.resources.some((r) => r === '*' || JSON.stringify(r) === aggregatesArn),
    );
    const writes = onAggregates
      .flatMap((s) => s.actions)
      .filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite|\*)/.test(a) || a === '*');

    expect(writes).toEqual([]);
  });

  it('alarms on lag, errors and dead letters of the aggregates consumer', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: aggregatesFunctionId } }],
      Threshold: 60_000,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: aggregatesFunctionId } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [aggregatesQueueId, 'QueueName'] } }],
    });
  });
});

describe('DynamoDBStreamConsumer', () => {
  function scratch() {
    const stack = new Stack(new App({ context: noBundling }), 'Scratch');
    const table = new dynamodb.Table(stack, 'Table', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    return { stack, table };
  }
  const entry = new URL('../../functions/handlers/aggregates.ts', import.meta.url).pathname;

  it('takes tuned batching and retries, and keeps the filter, bisect, partial batch responses and the DLQ', () => {
    const { stack, table } = scratch();
    new DynamoDBStreamConsumer(stack, 'Consumer', {
      table,
      function: { entry, serviceName: 'scratch', description: 'scratch' },
      eventSource: { batchSize: 10, retryAttempts: 2, maxRecordAge: Duration.minutes(30) },
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      MaximumRetryAttempts: 2,
      MaximumRecordAgeInSeconds: 1800,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: aggregatesEventSource.filterCriteria,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('rejects an iterator-age threshold at or above the maximum record age', () => {
    const { stack, table } = scratch();

    expect(
      () =>
        new DynamoDBStreamConsumer(stack, 'Consumer', {
          table,
          function: { entry, serviceName: 'scratch', description: 'scratch' },
          iteratorAgeThreshold: Duration.minutes(15),
        }),
    ).toThrow(/iteratorAgeThreshold .* must be below maxRecordAge/);
  });
});

describe('KinesisConsumer', () => {
  function scratch() {
    const stack = new Stack(new App({ context: noBundling }), 'Scratch');
    return { stack, stream: new kinesis.Stream(stack, 'Stream') };
  }
  const entry = new URL('../../functions/handlers/clickstream.ts', import.meta.url).pathname;

  it('takes tuned batching and retries, and keeps bisect, partial batch responses and the DLQ', () => {
    const { stack, stream } = scratch();
    new KinesisConsumer(stack, 'Consumer', {
      stream,
      function: { entry, serviceName: 'scratch', description: 'scratch' },
      eventSource: { batchSize: 100, retryAttempts: 2, maxRecordAge: Duration.minutes(30) },
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 100,
      MaximumRetryAttempts: 2,
      MaximumRecordAgeInSeconds: 1800,
      MaximumBatchingWindowInSeconds: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it.for([2, 10, 0, 1.5])('refuses a parallelization factor of %s, saying why', (parallelizationFactor) => {
    const { stack, stream } = scratch();

    expect(
      () =>
        new KinesisConsumer(stack, 'Consumer', {
          stream,
          function: { entry, serviceName: 'scratch', description: 'scratch' },
          eventSource: { parallelizationFactor },
        }),
    ).toThrow(
      new RegExp(`parallelizationFactor must be 1, got ${parallelizationFactor}: per-shard sequence watermarks`),
    );
  });

  it('rejects an iterator-age threshold at or above the maximum record age', () => {
    const { stack, stream } = scratch();

    expect(
      () =>
        new KinesisConsumer(stack, 'Consumer', {
          stream,
          function: { entry, serviceName: 'scratch', description: 'scratch' },
          eventSource: { maxRecordAge: Duration.minutes(5) },
          iteratorAgeThreshold: Duration.minutes(5),
        }),
    ).toThrow(/iteratorAgeThreshold .* must be below maxRecordAge/);
  });
});

describe('grantTableAccess', () => {
  function scratch() {
    const stack = new Stack(new App(), 'Scratch');
    const table = new dynamodb.Table(stack, 'Table', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });
    table.addGlobalSecondaryIndex({
      indexName: 'byOther',
      partitionKey: { name: 'o', type: dynamodb.AttributeType.STRING },
    });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    return { stack, table, role };
  }

  it('grants an index by name, and no index unless named', () => {
    const { stack, table, role } = scratch();
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grantTableAccess(role, table, { actions: ['Query'], indexes: ['byOther'] });
    grantTableAccess(other, table, { actions: ['GetItem'] });
    const arn = stack.resolve(table.tableArn);

    const statements = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    expect(Object.values(statements).map((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      [{ Action: 'dynamodb:Query', Effect: 'Allow', Resource: [arn, { 'Fn::Join': ['', [arn, '/index/byOther']] }] }],
      [{ Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: arn }],
    ]);
  });

  it('rejects an index without Query, and an empty action list', () => {
    const { table, role } = scratch();

    expect(() => grantTableAccess(role, table, { actions: ['GetItem'], indexes: ['byOther'] })).toThrow(/not Query/);
    expect(() => grantTableAccess(role, table, { actions: [] })).toThrow(/no actions/);
  });
});

describe('cdk-nag AwsSolutions checks of the pipeline stack', () => {
  it('acknowledges only the wildcards IAM or the service forces, DLQs having no DLQ and the buckets’ access logs, each with a reason', () => {
    const { pipeline: stack } = buildApp({ context: noBundling });
    const acknowledgements = acknowledgementsUnder(stack);

    expect(acknowledgements).toEqual([
      {
        path: stack.clickstream.handler.role.node.path,
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: expect.stringMatching(/xray:PutTraceSegments.*resource-level/s),
      },
      {
        path: stack.clickstream.handler.role.node.path,
        id: expect.stringMatching(
          /^AwsSolutions-IAM5\[Resource::<QuarantineSpillBucket[0-9A-F]+\.Arn>\/quarantine\/\*\]$/,
        ),
        reason: expect.stringMatching(/PutObject only, under the quarantine prefix/),
      },
      {
        path: stack.clickstream.deadLetterQueue.node.path,
        id: 'AwsSolutions-SQS3',
        reason: expect.stringMatching(/itself a dead-letter queue/),
      },
      {
        path: stack.quarantineSpill.bucket.node.path,
        id: 'AwsSolutions-S1',
        reason: expect.stringMatching(/CloudTrail/),
      },
      {
        path: stack.aggregates.handler.role.node.path,
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: expect.stringMatching(/xray:PutTraceSegments.*resource-level.*dynamodb:ListStreams/s),
      },
      {
        path: stack.aggregates.deadLetterQueue.node.path,
        id: 'AwsSolutions-SQS3',
        reason: expect.stringMatching(/itself a dead-letter queue/),
      },
      {
        path: stack.aggregation.checkpointBucket.node.path,
        id: 'AwsSolutions-S1',
        reason: expect.stringMatching(/no shopper data/),
      },
      {
        path: stack.aggregation.role.node.path,
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: expect.stringMatching(/cloudwatch:PutMetricData .*no resource-level permission/s),
      },
      {
        path: stack.aggregation.role.node.path,
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws-glue/*]',
        reason: expect.stringMatching(/Glue names the job log groups itself/),
      },
      {
        path: stack.aggregation.role.node.path,
        id: expect.stringMatching(
          /^AwsSolutions-IAM5\[Resource::<AggregationCheckpointBucket[0-9A-F]+\.Arn>\/checkpoints\/\*\]$/,
        ),
        reason: expect.stringMatching(/Spark names its offset, commit and state files itself/),
      },
      {
        path: stack.aggregation.starter.role.node.path,
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: expect.stringMatching(/xray:PutTraceSegments.*resource-level/s),
      },
      {
        path: expect.stringMatching(/\/Aggregation\/StarterProvider$/),
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: expect.stringMatching(/custom-resource framework function/),
      },
      {
        path: expect.stringMatching(/\/Aggregation\/StarterProvider$/),
        id: expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<AggregationStarterFunction[0-9A-F]+\.Arn>:\*\]$/),
        reason: expect.stringMatching(/that one function, nothing else/),
      },
      {
        path: stack.glueRunEvents.role.node.path,
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: expect.stringMatching(/xray:PutTraceSegments.*resource-level/s),
      },
      {
        path: stack.dlqRedrive.role.node.path,
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: expect.stringMatching(/xray:PutTraceSegments.*resource-level.*dynamodb:ListStreams/s),
      },
    ]);
  });
});
