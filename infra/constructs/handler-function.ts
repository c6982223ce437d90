import { type Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLING_DEFAULTS, HANDLER_FUNCTION_DEFAULTS, METRICS_NAMESPACE } from './handler-function-defaults.js';

/** Powertools log levels. */
export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

export interface HandlerFunctionProps {
  /** Absolute path of the handler module (a file under functions/handlers). */
  readonly entry: string;
  /** The Powertools service name: logs, metrics and traces are tagged with it. */
  readonly serviceName: string;
  readonly description: string;
  /**
   * Environment variables, besides the Powertools and Node.js ones this construct sets.
   *
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /**
   * Actions besides X-Ray's that the function's grants give on Resource "*", because IAM supports no
   * resource-level permission for them (a DynamoDB Streams event source adds dynamodb:ListStreams).
   * They are named in the reason of the cdk-nag wildcard acknowledgement, which must stay true.
   *
   * @default - none
   */
  readonly wildcardResourceActions?: readonly string[];
  /**
   * Commands run around esbuild, e.g. to copy files the handler reads at run time beside the bundle.
   *
   * @default - none
   */
  readonly commandHooks?: nodejs.ICommandHooks;
}

/**
 * A clickprice Lambda: a handler module bundled by esbuild as ESM, on arm64 with active tracing, its
 * own log group with a retention, and its own role that starts with no permissions at all — no AWS
 * managed policy — so every permission it has is one a caller granted for a reason.
 */
export class HandlerFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const defaults = HANDLER_FUNCTION_DEFAULTS;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? defaults.logRetention,
    });

    // Instead of AWSLambdaBasicExecutionRole, which may write to every log group of the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.serviceName} Lambda of clickprice`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: defaults.handlerExport,
      description: props.description,
      runtime: defaults.runtime,
      architecture: defaults.architecture,
      tracing: defaults.tracing,
      memorySize: props.memorySize ?? defaults.memorySize,
      timeout: props.timeout ?? defaults.timeout,
      role: this.role,
      logGroup: this.logGroup,
      bundling: {
        ...BUNDLING_DEFAULTS,
        mainFields: [...BUNDLING_DEFAULTS.mainFields],
        externalModules: [...BUNDLING_DEFAULTS.externalModules],
        commandHooks: props.commandHooks,
      },
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? defaults.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    const others = props.wildcardResourceActions ?? [];
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement that active tracing adds has Resource "*": xray:PutTraceSegments and ' +
        'xray:PutTelemetryRecords do not support resource-level permissions' +
        (others.length > 0 ? `; nor does ${others.join(', ')}, which is granted on "*" alone. ` : '. ') +
        'Every other statement of this role names its log group, tables, stream, key or queue.',
    });
  }
}
