import { Annotations, App, Aws, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_STOREFRONT_ORIGIN } from './constructs/http-api-defaults.js';
import { ApiStack } from './stacks/api-stack.js';
import { PipelineStack } from './stacks/pipeline-stack.js';
import { StatefulStack, type StreamCapacity } from './stacks/stateful-stack.js';

/** Stage used when no `-c stage=<name>` is given. */
export const DEFAULT_STAGE = 'dev';

/** A stage goes into stack names, which allow letters, digits and hyphens. */
const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

export interface BuildAppOptions {
  /**
   * Context for the app, as cdk.json and `-c key=value` give it to the CLI (tests pass it here).
   *
   * @default - none beyond what the CDK CLI passes through the environment and cdk.json
   */
  readonly context?: Readonly<Record<string, unknown>>;
}

export interface ClickpriceApp {
  readonly app: App;
  readonly stage: string;
  readonly stateful: StatefulStack;
  readonly pipeline: PipelineStack;
  readonly api: ApiStack;
}

/**
 * The clickprice CDK app: its stacks, env-agnostic so synth needs no AWS credentials, with the
 * cdk-nag AwsSolutions pack attached as a validation plugin, so an unacknowledged finding fails synth.
 */
export function buildApp(options: BuildAppOptions = {}): ClickpriceApp {
  const app = new App(options.context ? { context: options.context } : {});
  const stage = readStage(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  Tags.of(app).add('project', 'clickprice');
  Tags.of(app).add('stage', stage);

  const alertSubscribers = readAlertSubscribers(app);
  const dataRemovalPolicy = readDataRemovalPolicy(app);
  const statefulName = `clickprice-${stage}-stateful`;
  const stateful = new StatefulStack(app, statefulName, {
    stackName: statefulName,
    description: `clickprice ${stage}: clicks Kinesis stream, its KMS key, the DynamoDB tables and the ops user pool`,
    opsDomainPrefix: `clickprice-${stage}-${Aws.ACCOUNT_ID}`,
    alertSubscribers,
    streamCapacity: readStreamCapacity(app),
    dataRemovalPolicy,
  });
  if (alertSubscribers.emails.length + alertSubscribers.httpsUrls.length === 0) {
    Annotations.of(stateful.alerts).addWarningV2(
      'clickprice:alerts-unsubscribed',
      'No one is subscribed to the alerts topic: pass -c alertEmail=a@example.com[,b@example.com] or -c alertHttpsUrl=https://…',
    );
  }
  const alarmActions = [stateful.alerts.alarmAction];

  const pipelineName = `clickprice-${stage}-pipeline`;
  const pipeline = new PipelineStack(app, pipelineName, {
    stackName: pipelineName,
    description: `clickprice ${stage}: the clickstream Lambda on the clicks stream, its dead-letter queue and alarms`,
    resources: stateful,
    alarmActions,
    glueJob: { jobStateTopic: stateful.alerts.topic },
    spillRemovalPolicy: dataRemovalPolicy,
  });

  const apiName = `clickprice-${stage}-api`;
  const api = new ApiStack(app, apiName, {
    stackName: apiName,
    description: `clickprice ${stage}: the HTTP API (storefront, ops, dashboard), its Lambdas and the ops app clients`,
    resources: stateful,
    opsUsers: stateful.opsUsers,
    glueJob: pipeline.aggregation,
    fastPath: pipeline.clickstream,
    dlqRedrive: pipeline.dlqRedrive.function,
    storefrontOrigin: readStorefrontOrigin(app, stage),
    alarmActions,
  });
  return { app, stage, stateful, pipeline, api };
}

/**
 * The storefront's origin for CORS, from `-c storefrontOrigin=https://shop.example`. Only the default
 * (dev) stage may leave it out, for a storefront under development on localhost
 * (DEFAULT_STOREFRONT_ORIGIN): any other stage serves real shoppers from a real origin, and a
 * localhost CORS rule there would break its storefront. The API checks the shape.
 */
function readStorefrontOrigin(app: App, stage: string): string {
  const given: unknown = app.node.tryGetContext('storefrontOrigin');
  if (given === undefined && stage !== DEFAULT_STAGE) {
    throw new Error(
      `Stage "${stage}" needs its storefront's origin for CORS: pass -c storefrontOrigin=https://shop.example (only the ${DEFAULT_STAGE} stage defaults to ${DEFAULT_STOREFRONT_ORIGIN})`,
    );
  }
  const origin = given ?? DEFAULT_STOREFRONT_ORIGIN;
  if (typeof origin !== 'string') {
    throw new Error(`Context "storefrontOrigin" must be a string, got ${JSON.stringify(origin)}`);
  }
  return origin;
}

/**
 * Who is paged, from `-c alertEmail=a@example.com,b@example.com` and `-c alertHttpsUrl=https://…`
 * (comma-separated lists); a value that is not an e-mail address or an https URL fails synth.
 */
function readAlertSubscribers(app: App): { emails: string[]; httpsUrls: string[] } {
  const list = (key: string, pattern: RegExp, what: string): string[] => {
    const value: unknown = app.node.tryGetContext(key) ?? '';
    if (typeof value !== 'string') throw new Error(`Context "${key}" must be a comma-separated string`);
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    for (const item of items) {
      if (!pattern.test(item)) throw new Error(`Context "${key}": ${JSON.stringify(item)} is not ${what}`);
    }
    return items;
  };
  return {
    emails: list('alertEmail', /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/, 'an e-mail address'),
    httpsUrls: list('alertHttpsUrl', /^https:\/\/[^\s,]+$/, 'an https:// URL'),
  };
}

/**
 * What deleting the stacks does to the data: kept (the default; tables also get deletion protection)
 * or, with `-c dataRemovalPolicy=destroy`, deleted, for a stage that is made and thrown away. It
 * covers the stateful stack (stream, tables, user pool, keys) and the quarantine spill bucket.
 */
function readDataRemovalPolicy(app: App): RemovalPolicy {
  const given: unknown = app.node.tryGetContext('dataRemovalPolicy') ?? 'retain';
  if (given === 'retain') return RemovalPolicy.RETAIN;
  if (given === 'destroy') return RemovalPolicy.DESTROY;
  throw new Error(`Context "dataRemovalPolicy" must be "retain" or "destroy", got ${JSON.stringify(given)}`);
}

/**
 * The clicks stream's capacity: `-c streamShards=N` (provisioned), `-c streamMode=on-demand`, or the
 * stateful stack's default; both at once, or a bad value, fails synth.
 */
function readStreamCapacity(app: App): StreamCapacity | undefined {
  const shards: unknown = app.node.tryGetContext('streamShards');
  const mode: unknown = app.node.tryGetContext('streamMode');
  if (shards !== undefined && mode !== undefined) {
    throw new Error('Context "streamShards" and "streamMode" exclude each other: shards are for a provisioned stream');
  }
  if (mode !== undefined) {
    if (mode !== 'on-demand') throw new Error(`Context "streamMode" must be "on-demand", got ${JSON.stringify(mode)}`);
    return { mode: 'on-demand' };
  }
  if (shards === undefined) return undefined;
  const count = typeof shards === 'string' && /^\d+$/.test(shards) ? Number(shards) : shards;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 500) {
    throw new Error(`Context "streamShards" must be a whole number from 1 to 500, got ${JSON.stringify(shards)}`);
  }
  return { mode: 'provisioned', shards: count };
}

function readStage(app: App): string {
  const stage: unknown = app.node.tryGetContext('stage') ?? DEFAULT_STAGE;
  if (typeof stage !== 'string' || !STAGE_PATTERN.test(stage)) {
    throw new Error(
      `Context "stage" must be lowercase letters, digits and hyphens, starting with a letter, at most 20 characters; got ${JSON.stringify(stage)}`,
    );
  }
  return stage;
}
