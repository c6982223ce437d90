/**
 * Defaults of every clickprice Lambda function, as plain data: {@link HandlerFunction} merges them
 * with what its caller passes. One place to move all handlers to a new runtime or memory size.
 */
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * The newest Node.js runtime this aws-cdk-lib knows (cdk-nag AwsSolutions-L1 asks for exactly that).
 * ARCHITECTURE.md asks for nodejs22.x or newer.
 */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** The Powertools metrics namespace of every clickprice function. */
export const METRICS_NAMESPACE = 'clickprice';

/**
 * SDK modules that the bundled SDK imports only lazily, on paths no clickprice function takes; left
 * out of the bundles, they are about 150 KB of each that no invocation runs.
 * - The credential chain's links after the environment: on Lambda its first link, the environment
 *   (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), always answers, and the chain
 *   imports SSO, shared config files, a credential process, web identity (and the STS/SSO clients they
 *   use), container and instance metadata only after the links before them failed.
 * - Event-stream serde, loaded by an operation with an event stream: DynamoDB, Glue, SQS and
 *   CloudWatch have none. The Lambda and Kinesis clients import it when loaded, and no function
 *   bundles either (their calls are signed: functions/store/signed-aws-request.ts);
 *   test/infra/bundles-load.test.ts loads every bundle in a bare process, so a function that needs
 *   it and lacks it fails there, not on Lambda.
 */
const EVENT_STREAM_SERDE = '@smithy/core/event-streams';

export const LAZY_SDK_MODULES_NEVER_LOADED = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/nested-clients',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
  EVENT_STREAM_SERDE,
] as const;

/**
 * esbuild options, run locally (there is no Docker on build machines; esbuild is a devDependency).
 *
 * ESM, because the handlers and their dependencies are ESM (`"type": "module"`), which lets esbuild
 * tree-shake the SDK and Powertools; `mainFields` prefers a package's ESM build over its CommonJS one.
 * No dependency calls `require` (the bundles bench checks), so the bundle needs no `createRequire` banner.
 *
 * The AWS SDK is bundled, except the modules above. The runtime ships its own SDK v3,
 * but at whatever version Lambda last updated it to; bundling deploys exactly the @aws-sdk/* versions
 * the lock file pins and the unit and integration suites ran against (the DynamoDB calls rely on
 * util-dynamodb's marshalling, every signed call on the SDK's signer, credential chain and retry
 * strategy), and one minified file loads faster than an SDK spread over hundreds of files: a
 * DocumentClient took 27 ms to import bundled and 108 ms from node_modules (this machine, median of
 * 9 fresh processes). No function bundles the DynamoDB client itself (dynamodb-documents.ts).
 */
export const BUNDLING_DEFAULTS = {
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  externalModules: [...LAZY_SDK_MODULES_NEVER_LOADED],
  minify: true,
  sourceMap: true,
  // Stack traces map to file and line without shipping the sources themselves.
  sourcesContent: false,
  forceDockerBundling: false,
} as const satisfies BundlingOptions;

/** Function settings every handler shares unless its caller overrides them. */
export const HANDLER_FUNCTION_DEFAULTS = {
  runtime: HANDLER_RUNTIME,
  architecture: lambda.Architecture.ARM_64,
  tracing: lambda.Tracing.ACTIVE,
  memorySize: 1024,
  timeout: Duration.seconds(30),
  handlerExport: 'handler',
  logRetention: logs.RetentionDays.ONE_MONTH,
  logLevel: 'INFO',
} as const;
