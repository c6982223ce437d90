import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ApiSurface } from '../../definitions/api-routes.js';
import type { TableId } from '../../definitions/resources.js';
import { DASHBOARD_ASSETS_DIR_ENV, dashboardAssets } from '../../functions/handlers/dashboard-assets.js';
import { OPS_SIGN_IN_CLIENT_ID_ENV, OPS_SIGN_IN_URL_ENV } from '../../functions/handlers/dashboard-sign-in.js';
import { DLQ_REDRIVE_FUNCTION_ENV } from '../../functions/store/dead-letter-redrives.js';
import { FAST_PATH_MAPPING_ENV } from '../../functions/store/event-source-mappings.js';
import { FAST_PATH_DLQ_ENV, FAST_PATH_FUNCTION_ENV } from '../../functions/store/fast-path-metrics.js';
import { GLUE_JOB_NAME_ENV } from '../../functions/store/glue-job-runs.js';
import type { GlueStreamingJob } from '../constructs/glue-streaming-job.js';
import { HandlerFunction } from '../constructs/handler-function.js';
import { ClickpriceHttpApi } from '../constructs/http-api.js';
import { DEFAULT_STOREFRONT_ORIGIN } from '../constructs/http-api-defaults.js';
import { OpsAppClients } from '../constructs/ops-app-clients.js';
import type { OpsUserPool } from '../constructs/ops-user-pool.js';
import type { StreamConsumer } from '../constructs/stream-consumer.js';
import { grantTablesAccess, type TableAccess } from '../constructs/table-access.js';
import { resourceEnvironment, type StatefulResources } from './stateful-stack.js';

/**
 * What the storefront API does to the tables (functions/store/storefront-prices-store.ts): it reads
 * one product (GetItem) or a page's worth (BatchGetItem) from products, and nothing else, anywhere.
 */
export const STOREFRONT_TABLE_ACCESS = {
  products: { actions: ['GetItem', 'BatchGetItem'] },
} as const satisfies Partial<Record<TableId, TableAccess>>;

/**
 * What the ops API does to each table (functions/handlers/ops-api.ts through OpsQueries, the ops
 * actions on PriceStore, and PricingConfigStore). Its writes are TransactWriteItems whose items IAM authorizes as UpdateItem
 * (products, pricing config) and PutItem (the history row); it never runs an automated decision, so
 * it needs no ConditionCheckItem or BatchGetItem. Orders it never touches.
 */
export const OPS_TABLE_ACCESS = {
  // ProductListingStore: Scan, paginated; PriceStore.getProduct: consistent GetItem; an ops action's
  // transaction: the Update item.
  products: { actions: ['Scan', 'GetItem', 'UpdateItem'] },
  // PriceHistoryStore: Query of a product's rows (listing, price-at, the lowest-price window), Query
  // of the byChangeHour index (the change feed), GetItem of a rollback's target; the Put item of an
  // ops action's or config switch's transaction.
  priceHistory: { actions: ['Query', 'GetItem', 'PutItem'], indexes: ['byChangeHour'] },
  // DemandStore.minutes: Query of a product's minutes.
  demand: { actions: ['Query'] },
  // AggregatesStore.windows: Query of a product's windows.
  aggregates: { actions: ['Query'] },
  // QuarantineStore.list: Query of one day.
  quarantine: { actions: ['Query'] },
  // PricingConfigStore.getStored: GetItem; a switch's transaction: the Update item.
  pricingConfig: { actions: ['GetItem', 'UpdateItem'] },
} as const satisfies Partial<Record<TableId, TableAccess>>;

/**
 * What the pipeline API does to each table (functions/use-cases/pipeline-control.ts and
 * pipeline-health-report.ts): reads and writes the Glue restart item beside the pricing config
 * (GetItem; a restart's transaction Puts it, its finish Updates it), reads the rich path's progress
 * item there (GetItem), writes the audit rows, and counts the last hour's quarantine.
 */
export const PIPELINE_TABLE_ACCESS = {
  pricingConfig: { actions: ['GetItem', 'PutItem', 'UpdateItem'] },
  priceHistory: { actions: ['PutItem'] },
  quarantine: { actions: ['Query'] },
} as const satisfies Partial<Record<TableId, TableAccess>>;

/** The Glue calls of the pipeline API (GlueJobRuns): report the job's runs, stop them, start one. */
export const PIPELINE_GLUE_ACTIONS = ['glue:GetJobRuns', 'glue:BatchStopJobRun', 'glue:StartJobRun'] as const;

/** Where the dashboard's files are on Lambda: the `dashboard/` folder beside the bundle's index.mjs. */
export const DASHBOARD_ASSETS_DIR = '/var/task/dashboard';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A handler module of functions/handlers, by file name. */
function handlerEntry(name: string): string {
  return join(REPO_ROOT, 'functions', 'handlers', `${name}.ts`);
}

export interface ApiStackProps extends StackProps {
  /** The tables, from the stateful stack. */
  readonly resources: StatefulResources;
  /** The ops user pool and its resource server, from the stateful stack. */
  readonly opsUsers: OpsUserPool;
  /** The rich path's Glue job, from the pipeline stack: the pipeline API reports and restarts it. */
  readonly glueJob: GlueStreamingJob;
  /** The fast path's consumer, from the pipeline stack: the pipeline API reads its mapping and metrics. */
  readonly fastPath: StreamConsumer;
  /** The dead-letter redrive function, from the pipeline stack: the pipeline API invokes it. */
  readonly dlqRedrive: lambda.IFunction;
  /**
   * The storefront's browser origin, the only one CORS preflights are answered for.
   *
   * @default DEFAULT_STOREFRONT_ORIGIN (http://localhost:3000)
   */
  readonly storefrontOrigin?: string;
  /**
   * Further URLs the ops sign-in may return to, besides the dashboard (a CLI's loopback URL).
   *
   * @default - none
   */
  readonly opsCallbackUrls?: readonly string[];
  /**
   * How long the functions' logs and the access logs are kept.
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
}

/**
 * The HTTP side of clickprice: one API Gateway HTTP API built from the route table
 * (definitions/api-routes.ts), the three Lambdas behind it — storefront prices (public, read-only on
 * products), the ops API (JWT authorizer on the ops user pool, scope per route) and the ops
 * dashboard's static files (public, no table at all) — and the ops user pool's app clients.
 */
export class ApiStack extends Stack {
  public readonly functions: Readonly<Record<ApiSurface, HandlerFunction>>;
  public readonly opsClients: OpsAppClients;
  public readonly httpApi: ClickpriceHttpApi;
  /** `https://…/dashboard`: the ops dashboard, and where ops sign-in returns to. */
  public readonly dashboardUrl: string;

  public constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { resources } = props;

    const storefront = new HandlerFunction(this, 'Storefront', {
      entry: handlerEntry('storefront-api'),
      serviceName: 'storefront-api',
      description: 'Storefront API: current prices of one product or a page of them',
      // Every table name, not just the granted one: the handler runtime reads them all at cold start.
      environment: resourceEnvironment(resources),
      // Below API Gateway's 30 s integration timeout: a stuck read fails here, not as a gateway 503.
      timeout: Duration.seconds(10),
      logRetention: props.logRetention,
    });
    grantTablesAccess(storefront.function, resources.tables, STOREFRONT_TABLE_ACCESS);

    const ops = new HandlerFunction(this, 'Ops', {
      entry: handlerEntry('ops-api'),
      serviceName: 'ops-api',
      description: 'Ops API: products, history, demand, changes, quarantine; freeze, bounds, prices, switches',
      environment: resourceEnvironment(resources),
      timeout: Duration.seconds(25),
      logRetention: props.logRetention,
    });
    grantTablesAccess(ops.function, resources.tables, OPS_TABLE_ACCESS);

    const pipeline = new HandlerFunction(this, 'Pipeline', {
      entry: handlerEntry('pipeline-api'),
      serviceName: 'pipeline-api',
      description: 'Pipeline API: the health of both paths; restarting the Glue job',
      environment: {
        ...resourceEnvironment(resources),
        [GLUE_JOB_NAME_ENV]: props.glueJob.job.ref,
        [FAST_PATH_FUNCTION_ENV]: props.fastPath.function.functionName,
        [FAST_PATH_DLQ_ENV]: props.fastPath.deadLetterQueue.queueName,
        [FAST_PATH_MAPPING_ENV]: props.fastPath.mapping.eventSourceMappingId,
        [DLQ_REDRIVE_FUNCTION_ENV]: props.dlqRedrive.functionName,
      },
      timeout: Duration.seconds(25),
      logRetention: props.logRetention,
      wildcardResourceActions: ['cloudwatch:GetMetricData'],
    });
    grantTablesAccess(pipeline.function, resources.tables, PIPELINE_TABLE_ACCESS);
    props.glueJob.grantRuns(pipeline.function, PIPELINE_GLUE_ACTIONS);
    pipeline.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:GetEventSourceMapping'],
        resources: [props.fastPath.mapping.eventSourceMappingArn],
      }),
    );
    // The unqualified function only (grantInvoke would add every version and alias, `:*`).
    pipeline.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.dlqRedrive.functionArn] }),
    );
    // The fast path's metrics: GetMetricData has no resource-level permissions (see wildcardResourceActions).
    pipeline.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
    );

    const dashboard = new HandlerFunction(this, 'Dashboard', {
      entry: handlerEntry('dashboard'),
      serviceName: 'dashboard',
      description: 'Ops dashboard: the page and its scripts, as static files',
      // No table names: it reads none, and its runtime asks for none. The sign-in is added below.
      environment: { [DASHBOARD_ASSETS_DIR_ENV]: DASHBOARD_ASSETS_DIR },
      memorySize: 256,
      timeout: Duration.seconds(10),
      logRetention: props.logRetention,
      commandHooks: dashboardAssetCopy(),
    });
    this.functions = { storefront, ops, pipeline, dashboard };

    // The people client's callback is the dashboard, whose URL exists only once the API does, while
    // the API's authorizer needs the clients: the URL is filled in lazily, at synth.
    this.opsClients = new OpsAppClients(this, 'OpsClients', {
      opsUsers: props.opsUsers,
      callbackUrls: [Lazy.string({ produce: () => this.dashboardUrl }), ...(props.opsCallbackUrls ?? [])],
    });
    // The dashboard signs people in on the pool's domain with the people client (dashboard-sign-in.ts).
    dashboard.function.addEnvironment(OPS_SIGN_IN_URL_ENV, props.opsUsers.domain.baseUrl());
    dashboard.function.addEnvironment(OPS_SIGN_IN_CLIENT_ID_ENV, this.opsClients.people.userPoolClientId);
    // A JWT authorizer whose issuer is the ops user pool and whose audience is its two clients.
    const authorizer = new HttpUserPoolAuthorizer('OpsAuthorizer', props.opsUsers.userPool, {
      userPoolClients: this.opsClients.all,
      identitySource: ['$request.header.Authorization'],
    });

    this.httpApi = new ClickpriceHttpApi(this, 'HttpApi', {
      functions: {
        storefront: storefront.function,
        ops: ops.function,
        pipeline: pipeline.function,
        dashboard: dashboard.function,
      },
      authorizer,
      storefrontOrigin: props.storefrontOrigin ?? DEFAULT_STOREFRONT_ORIGIN,
      accessLogRetention: props.logRetention,
      alarmActions: props.alarmActions,
    });
    this.dashboardUrl = `${this.httpApi.url}dashboard`;

    new CfnOutput(this, 'ApiUrl', {
      description: 'The HTTP API (storefront /prices, ops /ops)',
      value: this.httpApi.url,
    });
    new CfnOutput(this, 'DashboardUrl', { description: 'The ops dashboard', value: this.dashboardUrl });
    new CfnOutput(this, 'OpsPeopleClientId', {
      description: 'App client for ops people: authorization code grant with PKCE on the ops user pool domain',
      value: this.opsClients.people.userPoolClientId,
    });
    new CfnOutput(this, 'OpsMachineClientId', {
      description: 'App client for automation: client credentials grant (its secret is in Cognito)',
      value: this.opsClients.machine.userPoolClientId,
    });
  }
}

/**
 * Esbuild hooks that copy the dashboard's files (functions/handlers/dashboard-assets.ts: name → repo path) flat into
 * `dashboard/` beside the bundle, where DASHBOARD_ASSETS_DIR points the handler. A listed file that
 * does not exist fails synth here, rather than as a 500 for that file once deployed.
 */
export function dashboardAssetCopy(
  assets: Readonly<Record<string, { readonly source: string }>> = dashboardAssets,
): nodejs.ICommandHooks {
  const missing = Object.values(assets)
    .map((asset) => asset.source)
    .filter((source) => !existsSync(join(REPO_ROOT, source)));
  if (missing.length > 0) {
    throw new Error(
      `The dashboard lists files that do not exist: ${missing.join(', ')} (functions/handlers/dashboard-assets.ts)`,
    );
  }
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => [
      `mkdir -p "${outputDir}/dashboard"`,
      ...Object.entries(assets).map(
        ([name, asset]) => `cp "${inputDir}/${asset.source}" "${outputDir}/dashboard/${name}"`,
      ),
    ],
  };
}
