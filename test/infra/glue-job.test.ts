import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { type TableId, tableIds, tables } from '../../definitions/resources.js';
import { expiryAfterDays } from '../../functions/domain/time.js';
import { RICH_PATH_PROGRESS_ITEM } from '../../functions/store/rich-path-progress-store.js';
import { readWindowConfig } from '../../glue/window-config.js';
import { GLUE_STREAMING_JOB_DEFAULTS, glueMonthlyCostUsd } from '../../infra/constructs/glue-streaming-job-defaults.js';
import { PipelineStack } from '../../infra/stacks/pipeline-stack.js';
import { StatefulStack } from '../../infra/stacks/stateful-stack.js';
import { glueJobArnIn, noBundling } from '../helpers/cdk-context.js';

const app = new App({ context: noBundling });
const stateful = new StatefulStack(app, 'Stateful');
const pipeline = new PipelineStack(app, 'Pipeline', { resources: stateful });
const assembly = app.synth();
const template = Template.fromStack(pipeline);
const glueJob = pipeline.aggregation;
const hasPython = spawnSync('python3', ['--version'], { encoding: 'utf8' }).status === 0;

/** Runs `code` with the job's pure package importable (as Glue's --extra-py-files makes it); its stdout. */
function python(code: string, argument: unknown = null): string {
  const run = spawnSync('python3', ['-c', code, JSON.stringify(argument)], {
    cwd: join(import.meta.dirname, '../../glue/job'),
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return run.stdout;
}

function logicalId(construct: IConstruct): string {
  return pipeline.getLogicalId(construct.node.defaultChild as CfnElement);
}
const jobId = pipeline.getLogicalId(glueJob.job);
const roleId = logicalId(glueJob.role);
const keyArn = { 'Fn::GetAtt': [logicalId(glueJob.key), 'Arn'] };
const bucketId = logicalId(glueJob.checkpointBucket);

function imported(value: string): unknown {
  return pipeline.resolve(value);
}

function jobProperties(template_ = template, id = jobId) {
  return template_.findResources('AWS::Glue::Job')[id]?.Properties;
}

/** Every Allow statement of the Glue role's policies, actions and resources as arrays. */
function roleStatements() {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]).map((statement) => ({
      actions: [statement.Action].flat() as string[],
      resources: [statement.Resource].flat(),
      condition: statement.Condition,
    })),
  );
}

function actionsOn(resource: unknown): string[] {
  const key = JSON.stringify(resource);
  return [
    ...new Set(
      roleStatements()
        .filter((s) => s.resources.some((r) => JSON.stringify(r) === key))
        .flatMap((s) => s.actions),
    ),
  ].sort();
}

describe('Glue streaming job', () => {
  it('is a Python 3 gluestreaming job on Glue 4.0 or newer, its script an S3 asset', () => {
    const job = jobProperties();

    expect(job?.Command).toEqual({
      Name: 'gluestreaming',
      PythonVersion: '3',
      ScriptLocation: { 'Fn::Sub': expect.stringMatching(/^s3:\/\/.+\/[0-9a-f]{64}\.py$/) },
    });
    // 4.0, as glue/requirements.txt pins its Spark 3.3 and Python 3.10 for the Spark suites.
    expect(job?.GlueVersion).toBe('4.0');
  });

  it('runs 2 G.025X workers by default (≈ $160 a month), one run at a time, under its security configuration', () => {
    expect(jobProperties()).toMatchObject({
      WorkerType: 'G.025X',
      NumberOfWorkers: 2,
      ExecutionProperty: { MaxConcurrentRuns: 1 },
      SecurityConfiguration: { Ref: pipeline.getLogicalId(glueJob.securityConfiguration) },
      Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
  });

  it('takes the worker type and count as props, and rejects a count below 2 or a type streaming jobs lack', () => {
    const sized = new App({ context: noBundling });
    const resources = new StatefulStack(sized, 'Stateful');
    const stack = new PipelineStack(sized, 'Sized', {
      resources,
      glueJob: { workerType: 'G.2X', numberOfWorkers: 5 },
    });

    expect(jobProperties(Template.fromStack(stack), stack.getLogicalId(stack.aggregation.job))).toMatchObject({
      WorkerType: 'G.2X',
      NumberOfWorkers: 5,
    });
    expect(() => new PipelineStack(sized, 'Tiny', { resources, glueJob: { numberOfWorkers: 1 } })).toThrow(
      /numberOfWorkers must be an integer of at least 2/,
    );
    // The type is typed, but a context value or plain JavaScript can still pass G.4X (Spark ETL jobs only).
    const large = { workerType: 'G.4X' } as unknown as { workerType: 'G.1X' };
    expect(() => new PipelineStack(sized, 'Large', { resources, glueJob: large })).toThrow(
      /workerType must be one of G\.025X, G\.1X, G\.2X/,
    );
  });

  it('passes the stream, the tables, the checkpoint, the window size and the SQL asset as arguments', () => {
    const args = jobProperties()?.DefaultArguments;

    expect(args).toMatchObject({
      '--stream_arn': imported(stateful.clicksStream.streamArn),
      '--products_table': imported(stateful.tables.products.tableName),
      '--orders_table': imported(stateful.tables.orders.tableName),
      '--aggregates_table': imported(stateful.tables.aggregates.tableName),
      '--pricing_config_table': imported(stateful.tables.pricingConfig.tableName),
      '--aggregates_retention_days': String(tables.aggregates.ttl.retentionDays),
      '--checkpoint_location': { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, '/checkpoints/']] },
      '--window_size': `${readWindowConfig().windowSizeSeconds} seconds`,
      '--sql_path': { 'Fn::Sub': expect.stringMatching(/^s3:\/\/.+\/[0-9a-f]{64}\.sql$/) },
      '--extra-py-files': { 'Fn::Sub': expect.stringMatching(/^s3:\/\/.+\/[0-9a-f]{64}\.zip$/) },
      '--enable-metrics': 'true',
      '--enable-continuous-cloudwatch-log': 'true',
      '--job-bookmark-option': 'job-bookmark-disable',
    });
  });

  // Without python3 on PATH vitest reports these as skipped (CI has it): see test/unit/glue-python.test.ts.
  it.runIf(hasPython)('passes every argument the job requires (Glue itself supplies JOB_NAME)', () => {
    const required = JSON.parse(
      python('import json; from clickprice.job_args import REQUIRED; print(json.dumps(REQUIRED))'),
    );
    const passed = Object.keys(jobProperties()?.DefaultArguments ?? {});

    expect(required.length).toBeGreaterThan(1);
    for (const name of required.filter((name: string) => name !== 'JOB_NAME')) expect(passed).toContain(`--${name}`);
  });

  it.runIf(hasPython)('makes the job expire aggregate rows when the TypeScript store does', () => {
    const args = jobProperties()?.DefaultArguments;
    const windowStart = '2026-11-21T23:01:00.000Z';

    const expiries = JSON.parse(
      python(
        `
import json, sys
from clickprice.items import aggregate_item
from clickprice.job_args import retention_days
args = json.loads(sys.argv[1])
row = {"productId": "p-1", "windowStart": "${windowStart}"}
print(json.dumps([int(aggregate_item(row, retention_days(args, "aggregates_retention_days"))["expiresAt"])]))
`,
        { aggregates_retention_days: args['--aggregates_retention_days'] },
      ),
    );

    expect(expiries).toEqual([expiryAfterDays(windowStart, tables.aggregates.ttl.retentionDays)]);
  });

  it('ships the clickprice package at the root of its zip, without the tests or the entry script', () => {
    const manifest = JSON.parse(readFileSync(join(assembly.directory, `${pipeline.artifactId}.assets.json`), 'utf8'));
    const zipKey = String(jobProperties()?.DefaultArguments['--extra-py-files']['Fn::Sub']).split('/').pop() ?? '';
    const staged = join(assembly.directory, manifest.files[zipKey.replace(/\.zip$/, '')].source.path);

    expect(existsSync(join(staged, 'clickprice', '__init__.py'))).toBe(true);
    expect(existsSync(join(staged, 'tests'))).toBe(false);
    expect(existsSync(join(staged, 'clickprice_aggregates.py'))).toBe(false);
  });
});

describe('Glue security configuration and checkpoint bucket', () => {
  it('encrypts CloudWatch logs, job bookmarks and S3 output with the customer-managed key', () => {
    template.hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      EncryptionConfiguration: {
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: keyArn },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: keyArn },
        S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: keyArn }],
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('lets CloudWatch Logs use the key for Glue log groups only', () => {
    const key = template.findResources('AWS::KMS::Key')[logicalId(glueJob.key)];
    const logs = key?.Properties.KeyPolicy.Statement.find((s: { Principal: { Service?: unknown } }) =>
      JSON.stringify(s.Principal.Service ?? '').includes('logs.'),
    );

    expect(JSON.stringify(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toContain(
      ':log-group:/aws-glue/*',
    );
  });

  /** The job's log groups as synthesized: [logical id, resource]. */
  const jobLogGroups = () =>
    Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([id]) =>
      glueJob.logGroups.some((group) => logicalId(group) === id),
    );

  it('makes the log groups Glue writes to before the job, kept a month under the key, named as Glue names them', () => {
    // Left to Glue, they would be made without retention. With a security configuration, Glue appends
    // its name to the continuous log group, and writes output and error under "<name>-role/<role>".
    const name = template.findResources('AWS::Glue::SecurityConfiguration')[
      pipeline.getLogicalId(glueJob.securityConfiguration)
    ]?.Properties.Name as string;
    const groups = jobLogGroups();

    expect(groups).toHaveLength(3);
    const names = groups.map(([, group]) => JSON.stringify(group.Properties.LogGroupName));
    expect(names).toContain(JSON.stringify(`/aws-glue/jobs/logs-v2-${name}`));
    for (const stream of ['output', 'error']) {
      expect(names).toContain(
        JSON.stringify({ 'Fn::Join': ['', [`/aws-glue/jobs/${name}-role/`, { Ref: roleId }, `/${stream}`]] }),
      );
    }
    for (const [id, group] of groups) {
      expect(group.Properties).toMatchObject({ RetentionInDays: 30, KmsKeyId: keyArn });
      expect(template.findResources('AWS::Glue::Job')[jobId]?.DependsOn).toContain(id);
    }
  });

  it("deletes those log groups with the stack: kept under their fixed names, they would fail the stage's next deploy", () => {
    const groups = jobLogGroups();

    expect(groups.map(([, group]) => group.DeletionPolicy)).toEqual(['Delete', 'Delete', 'Delete']);
  });

  it('keeps checkpoints in a KMS-encrypted bucket that blocks public access and refuses requests without TLS', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });
});

describe('Glue job role (least privilege)', () => {
  it('is assumed by Glue and carries no AWS managed policy', () => {
    const role = template.findResources('AWS::IAM::Role')[roleId];

    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'glue.amazonaws.com' } }),
    ]);
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  const expected: Record<TableId, string[]> = {
    products: ['dynamodb:Scan'],
    orders: ['dynamodb:Query'],
    aggregates: ['dynamodb:BatchWriteItem'],
    // Bad records are the fast path's to quarantine: it reads their bytes, which Glue's source does not give.
    quarantine: [],
    sessionLog: [],
    demand: [],
    priceHistory: [],
    // record_progress: its one item only (the next test).
    pricingConfig: ['dynamodb:PutItem'],
  };

  it.each(tableIds)('grants exactly what the job does on table %s', (id) => {
    expect(actionsOn(imported(stateful.tables[id].tableArn))).toEqual(expected[id]);
  });

  it('may put only the progress item of the pricing-config table, not the config beside it', () => {
    const onConfig = roleStatements().filter((statement) =>
      statement.resources.some(
        (resource) => JSON.stringify(resource) === JSON.stringify(imported(stateful.tables.pricingConfig.tableArn)),
      ),
    );

    expect(onConfig).toEqual([
      {
        actions: ['dynamodb:PutItem'],
        resources: [imported(stateful.tables.pricingConfig.tableArn)],
        condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [RICH_PATH_PROGRESS_ITEM] } },
      },
    ]);
  });

  it('queries the orders time-bucket index by name, no other index', () => {
    const [index] = tables.orders.globalIndexes;
    const indexArn = { 'Fn::Join': ['', [imported(stateful.tables.orders.tableArn), `/index/${index?.indexName}`]] };

    expect(actionsOn(indexArn)).toEqual(['dynamodb:Query']);
    expect(JSON.stringify(roleStatements())).not.toContain('/index/*');
  });

  it('reads the clicks stream and decrypts it with the stream key', () => {
    expect(actionsOn(imported(stateful.clicksStream.streamArn))).toEqual(
      expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards']),
    );
    expect(actionsOn(imported(stateful.streamKey.keyArn))).toEqual(['kms:Decrypt']);
  });

  it('reads its three asset objects by key, and writes only under the checkpoint prefix', () => {
    const getObject = roleStatements().find((s) => s.actions.length === 1 && s.actions[0] === 's3:GetObject');
    expect(getObject?.resources).toHaveLength(3);
    expect(JSON.stringify(getObject?.resources)).not.toMatch(/\/\*"/);

    expect(actionsOn({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/checkpoints/*']] })).toEqual([
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
    expect(actionsOn({ 'Fn::GetAtt': [bucketId, 'Arn'] })).toEqual(['s3:ListBucket']);
  });

  it('has Resource "*" only for PutMetricData, conditioned on the Glue namespace', () => {
    const wildcards = roleStatements().filter((s) => s.resources.includes('*'));

    expect(wildcards).toEqual([
      {
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        condition: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
      },
    ]);
  });
});

describe('Glue streaming job in operation', () => {
  it('runs at most 7 days a run, restarted by Glue in a Sunday-night maintenance window', () => {
    expect(jobProperties()).toMatchObject({ Timeout: 10_080, MaintenanceWindow: 'Sun:3' });
  });

  it('reads the stream through an enhanced fan-out consumer of its own, and may subscribe to it only', () => {
    const consumer = glueJob.consumer;
    const consumerArn = pipeline.resolve(consumer?.attrConsumerArn);

    expect(Object.keys(template.findResources('AWS::Kinesis::StreamConsumer'))).toEqual([
      pipeline.getLogicalId(consumer as CfnElement),
    ]);
    expect(consumer?.streamArn).toBe(stateful.clicksStream.streamArn);
    expect(jobProperties()?.DefaultArguments['--fanout_consumer_arn']).toEqual(consumerArn);
    expect(actionsOn(consumerArn)).toEqual(['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard']);
  });

  it('alarms when a batch outlasts its window and when the job lags three windows behind the stream', () => {
    const windowMs = readWindowConfig().windowSizeSeconds * 1000;
    const alarmOf = (alarm: IConstruct) =>
      template.findResources('AWS::CloudWatch::Alarm')[logicalId(alarm)]?.Properties;
    // Each reads the metric under both values of Glue's Type dimension: the docs we could read name neither.
    const readsBothTypes = (metricName: string) => [
      { Expression: 'MAX([asCount, asGauge])' },
      ...['count', 'gauge'].map((type) => ({
        Id: type === 'count' ? 'asCount' : 'asGauge',
        MetricStat: {
          Metric: {
            Namespace: 'Glue',
            MetricName: metricName,
            Dimensions: [
              { Name: 'JobName', Value: { Ref: jobId } },
              { Name: 'JobRunId', Value: 'ALL' },
              { Name: 'Type', Value: type },
            ],
          },
          Period: 60,
          Stat: 'Maximum',
        },
        ReturnData: false,
      })),
    ];

    expect(alarmOf(glueJob.batchTimeAlarm)).toMatchObject({
      Metrics: readsBothTypes('glue.driver.streaming.batchProcessingTimeInMs'),
      Threshold: windowMs,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarmOf(glueJob.consumerLagAlarm)).toMatchObject({
      Metrics: readsBothTypes('glue.driver.streaming.maxConsumerLagInMs'),
      Threshold: 3 * windowMs,
    });
  });

  it('publishes the end of any run of this job (succeeded, failed, timed out, stopped) to the topic it is given', () => {
    const alerting = new App({ context: noBundling });
    const resources = new StatefulStack(alerting, 'Stateful');
    const topic = new sns.Topic(new Stack(alerting, 'Ops'), 'JobState');
    const stack = new PipelineStack(alerting, 'Alerting', { resources, glueJob: { jobStateTopic: topic } });
    const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
    const rule = rules[stack.getLogicalId(stack.aggregation.jobStateRule.node.defaultChild as CfnElement)];

    expect(rule?.Properties.EventPattern).toEqual({
      source: ['aws.glue'],
      'detail-type': ['Glue Job State Change'],
      detail: {
        jobName: [{ Ref: stack.getLogicalId(stack.aggregation.job) }],
        state: ['SUCCEEDED', 'FAILED', 'TIMEOUT', 'STOPPED'],
      },
    });
    expect(rule?.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: stack.resolve(topic.topicArn) }),
      // The run-events function, which starts the new run of a restart ops asked for.
      expect.objectContaining({
        Arn: {
          'Fn::GetAtt': [stack.getLogicalId(stack.glueRunEvents.function.node.defaultChild as CfnElement), 'Arn'],
        },
        RetryPolicy: { MaximumRetryAttempts: 8 },
      }),
    ]);
  });

  it('is started by the deploy, and restarted whenever its definition (script, package, SQL, arguments) changes', () => {
    const starts = template.findResources('Custom::GlueJobRun');
    const [start] = Object.values(starts);
    const definition = JSON.stringify(start?.Properties.Definition);

    expect(Object.keys(starts)).toHaveLength(1);
    expect(start?.Properties.JobName).toEqual({ Ref: jobId });
    expect(start?.DependsOn).toEqual(expect.arrayContaining([roleId]));
    for (const part of ['scriptLocation', '--extra-py-files', '--sql_path', '--stream_arn', 'G.025X']) {
      expect(definition).toContain(part);
    }
  });

  it('lets the starter list, stop and start runs of this one job, and nothing else in Glue', () => {
    const starterRoleId = logicalId(glueJob.starter.role);
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: Match.arrayWith([{ Ref: starterRoleId }]) },
    });
    const glueStatements = Object.values(policies)
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[])
      .filter((statement) => [statement.Action].flat().some((action) => String(action).startsWith('glue:')));

    expect(glueStatements).toEqual([
      {
        Effect: 'Allow',
        Action: ['glue:BatchStopJobRun', 'glue:GetJobRuns', 'glue:StartJobRun'],
        Resource: glueJobArnIn({ Ref: jobId }),
      },
    ]);
  });

  it('costs what the README says at the defaults', () => {
    const cost = glueMonthlyCostUsd(
      GLUE_STREAMING_JOB_DEFAULTS.workerType,
      GLUE_STREAMING_JOB_DEFAULTS.numberOfWorkers,
    );

    expect(cost).toBe(160.6);
    expect(readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8')).toContain(`$${cost.toFixed(2)} a month`);
  });
});
