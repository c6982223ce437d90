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
 * esbuild options, run locally (there is no Docker on build machines; esbuild is a devDependency).
 *
 * ESM, because the handlers and their dependencies are ESM (`"type": "module"`), which lets esbuild
 * tree-shake the SDK and Powertools. Some dependencies are still CommonJS with `require()` calls
 * inside (the X-Ray SDK under Powertools Tracer), which an ESM bundle has no `require` for: the banner
 * provides one. `mainFields` prefers a package's ESM build over its CommonJS one.
 *
 * Nothing is external, the AWS SDK included. The runtime ships its own SDK v3, but at whatever
 * version Lambda last updated it to; bundling deploys exactly the @aws-sdk/* versions the lock file
 * pins and the unit and integration suites ran against (the stores rely on their error classes, e.g.
 * `instanceof ConditionalCheckFailedException`, and on lib-dynamodb's marshalling). The price is a
 * larger bundle, kept small by minifying and tree-shaking.
 */
export const BUNDLING_DEFAULTS = {
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  externalModules: [],
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
