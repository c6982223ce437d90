/**
 * The pipeline API's Lambda: how healthy each path of the pricing pipeline is, and restarting the
 * rich path's Glue job (functions/use-cases/pipeline-control.ts). API Gateway's JWT authorizer has
 * checked the token and the route's scope; the actor of a restart is the token's user.
 */
import { GlueClient } from '@aws-sdk/client-glue';
import type { GlueRestartRequest } from '../domain/ops-requests.js';
import { GLUE_JOB_NAME_ENV, GlueJobRuns } from '../store/glue-job-runs.js';
import { GlueRestartStore } from '../store/glue-restart-store.js';
import { QuarantineStore } from '../store/quarantine-store.js';
import { PipelineControl } from '../use-cases/pipeline-control.js';
import { HttpError } from './http/http-error.js';
import { jsonResponse } from './http/http-response.js';
import { httpRouter } from './http/http-router.js';
import { actionBody, actorOf } from './http/ops-caller.js';
import { instrumented } from './instrumentation.js';
import { createHandlerRuntime } from './runtime.js';

const runtime = createHandlerRuntime('pipeline-api');
const { documentClient, tableNames } = runtime;
const jobName = process.env[GLUE_JOB_NAME_ENV];
// CDK always names the job; a local API started without the local Glue service has none to ask.
const control = jobName
  ? new PipelineControl({
      glue: new GlueJobRuns(new GlueClient({}), jobName),
      restarts: new GlueRestartStore(documentClient, tableNames),
      quarantine: new QuarantineStore(documentClient, tableNames.quarantine),
    })
  : null;

function pipelineControl(): PipelineControl {
  if (control === null) {
    throw new HttpError(503, 'unavailable', `the pipeline API knows no Glue job: ${GLUE_JOB_NAME_ENV} is not set`);
  }
  return control;
}

const NO_STORE = { 'cache-control': 'no-store' } as const;

export const handler = instrumented(
  httpRouter<'pipeline'>(
    {
      'GET /ops/pipeline': async () => jsonResponse(200, await pipelineControl().health(), NO_STORE),
      'POST /ops/pipeline/glue/restart': async (event) => {
        const actor = actorOf(event);
        const { status, answer } = await pipelineControl().restartGlue({
          ...actionBody(event, ['reason']),
          actor,
        } as GlueRestartRequest);
        return jsonResponse(status, answer, NO_STORE);
      },
    },
    runtime,
  ),
  runtime,
);
