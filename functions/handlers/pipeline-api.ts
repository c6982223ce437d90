/**
 * The pipeline API's Lambda: how healthy each path of the pricing pipeline is
 * (functions/use-cases/pipeline-health-report.ts), restarting the rich path's Glue job
 * (pipeline-control.ts), and redriving a stream consumer's dead letters (dead-letter-redrive.ts).
 * API Gateway's JWT authorizer has checked the token and the route's scope; the actor of a restart
 * or a redrive is the token's user.
 */
import type { DlqRedriveRequest, GlueRestartRequest } from '../domain/ops-requests.js';
import { CloudWatchApi } from '../store/cloudwatch-api.js';
import { DeadLetterRedrives, DLQ_REDRIVE_FUNCTION_ENV } from '../store/dead-letter-redrives.js';
import { EventSourceMappings, FAST_PATH_MAPPING_ENV } from '../store/event-source-mappings.js';
import { FAST_PATH_DLQ_ENV, FAST_PATH_FUNCTION_ENV, FastPathMetricsReader } from '../store/fast-path-metrics.js';
import { GLUE_JOB_NAME_ENV, GlueJobRuns } from '../store/glue-job-runs.js';
import { GlueRestartStore } from '../store/glue-restart-store.js';
import { LambdaApi } from '../store/lambda-api.js';
import { PriceHistoryStore } from '../store/price-history-store.js';
import { QuarantineStore } from '../store/quarantine-store.js';
import { RichPathProgressStore } from '../store/rich-path-progress-store.js';
import { DeadLetterRedrive } from '../use-cases/dead-letter-redrive.js';
import { PipelineControl } from '../use-cases/pipeline-control.js';
import { PipelineHealthReport } from '../use-cases/pipeline-health-report.js';
import { HttpError } from './http/http-error.js';
import { jsonResponse } from './http/http-response.js';
import { httpRouter } from './http/http-router.js';
import { actionBody, actorOf } from './http/ops-caller.js';
import { instrumented } from './instrumentation.js';
import { createHandlerRuntime } from './runtime.js';

const runtime = createHandlerRuntime('pipeline-api');
const { documents, aws, tableNames, logger } = runtime;
const env = process.env;
const jobName = env[GLUE_JOB_NAME_ENV];
const [functionName, deadLetterQueueName, mappingId, redriveFunction] = [
  env[FAST_PATH_FUNCTION_ENV],
  env[FAST_PATH_DLQ_ENV],
  env[FAST_PATH_MAPPING_ENV],
  env[DLQ_REDRIVE_FUNCTION_ENV],
];
// Lambda, CloudWatch and Glue calls signed with the function's AWS config: their clients are not
// bundled (signed-aws-request.ts).
const lambda = new LambdaApi(aws);
// CDK always names the job and the fast path; a local API started without the local pipeline has none to ask.
const glue = jobName ? new GlueJobRuns({ config: aws, endpoint: undefined }, jobName) : null;
const restarts = new GlueRestartStore(documents, tableNames);
const control = glue && new PipelineControl({ glue, restarts });
const report =
  glue &&
  new PipelineHealthReport({
    glue,
    restarts,
    quarantine: new QuarantineStore(documents, tableNames.quarantine),
    progress: new RichPathProgressStore(documents, tableNames.pricingConfig),
    fastPath:
      functionName && deadLetterQueueName && mappingId
        ? {
            mappings: new EventSourceMappings(lambda),
            mappingId,
            metrics: new FastPathMetricsReader(new CloudWatchApi(aws), {
              functionName,
              deadLetterQueueName,
            }),
          }
        : null,
    onReadError: (what, error) => logger.warn(`pipeline health: ${what} not read`, { error: String(error) }),
  });

const redrive = redriveFunction
  ? new DeadLetterRedrive({
      redrives: new DeadLetterRedrives(lambda, redriveFunction),
      history: new PriceHistoryStore(documents, tableNames.priceHistory),
    })
  : null;

function configured<T>(value: T | null, missing = GLUE_JOB_NAME_ENV): T {
  if (value === null)
    throw new HttpError(503, 'unavailable', `the pipeline API is not configured: ${missing} is not set`);
  return value;
}

const NO_STORE = { 'cache-control': 'no-store' } as const;

export const handler = instrumented(
  httpRouter<'pipeline'>(
    {
      'GET /ops/pipeline': async () => jsonResponse(200, await configured(report).health(), NO_STORE),
      'POST /ops/pipeline/glue/restart': async (event) => {
        const actor = actorOf(event);
        const { status, answer } = await configured(control).restartGlue({
          ...actionBody(event, ['reason']),
          actor,
        } as GlueRestartRequest);
        return jsonResponse(status, answer, NO_STORE);
      },
      'POST /ops/pipeline/dlq/redrive': async (event) => {
        const actor = actorOf(event);
        const answer = await configured(redrive, DLQ_REDRIVE_FUNCTION_ENV).redrive({
          ...actionBody(event, ['reason', 'consumer', 'max']),
          actor,
        } as DlqRedriveRequest);
        return jsonResponse(200, answer, NO_STORE);
      },
    },
    runtime,
  ),
  runtime,
);
