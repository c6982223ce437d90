import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GlueClient } from '@aws-sdk/client-glue';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../definitions/local-services.js';

/**
 * A local fake of the Glue API at the HTTP level: the JSON 1.1 protocol (POST, `X-Amz-Target:
 * AWSGlue.<Operation>`) for the calls clickprice makes (GetJobRuns, BatchStopJobRun, StartJobRun), so
 * code under test uses the real @aws-sdk/client-glue, serialisation and errors included. A run asked
 * to stop is STOPPING for `stopPolls` GetJobRuns calls, then STOPPED; MaxConcurrentRuns is 1.
 */
export interface FakeRun {
  Id: string;
  JobName: string;
  JobRunState: string;
  StartedOn: number;
  stopPollsLeft?: number;
}

export interface FakeGlue {
  readonly client: GlueClient;
  readonly runs: FakeRun[];
  /** Every call, as `Operation JobName`. */
  readonly calls: string[];
  close(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

export async function startFakeGlue(
  options: { readonly stopPolls?: number; readonly jobs?: string[] } = {},
): Promise<FakeGlue> {
  const runs: FakeRun[] = [];
  const calls: string[] = [];
  const jobs = new Set(options.jobs ?? ['clickprice-aggregation']);
  let next = 1;
  const server: Server = createServer(async (request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').replace(/^AWSGlue\./, '');
    const input = await body(request);
    const jobName = String(input.JobName ?? '');
    calls.push(`${operation} ${jobName}`);
    const reply = (status: number, payload: unknown, type?: string) => {
      response.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        ...(type ? { 'x-amzn-errortype': type } : {}),
      });
      response.end(JSON.stringify(payload));
    };
    if (!jobs.has(jobName)) {
      reply(400, { __type: 'EntityNotFoundException', Message: `Job ${jobName} not found` }, 'EntityNotFoundException');
      return;
    }
    const ofJob = runs.filter((run) => run.JobName === jobName);
    switch (operation) {
      case 'GetJobRuns': {
        for (const run of ofJob) {
          if (run.JobRunState !== 'STOPPING') continue;
          run.stopPollsLeft = (run.stopPollsLeft ?? 0) - 1;
          if (run.stopPollsLeft < 0) run.JobRunState = 'STOPPED';
        }
        const listed = [...ofJob].reverse().map(({ stopPollsLeft: _left, ...run }) => run);
        reply(200, { JobRuns: listed });
        return;
      }
      case 'BatchStopJobRun': {
        const ids = (input.JobRunIds as string[]) ?? [];
        const stopped = [];
        const errors = [];
        for (const id of ids) {
          const run = ofJob.find((candidate) => candidate.Id === id);
          if (run && ['STARTING', 'RUNNING', 'WAITING'].includes(run.JobRunState)) {
            run.JobRunState = 'STOPPING';
            run.stopPollsLeft = options.stopPolls ?? 2;
            stopped.push({ JobName: jobName, JobRunId: id });
          } else {
            errors.push({
              JobName: jobName,
              JobRunId: id,
              ErrorDetail: { ErrorCode: 'InvalidInputException', ErrorMessage: `run ${id} is not running` },
            });
          }
        }
        reply(200, { SuccessfulSubmissions: stopped, Errors: errors });
        return;
      }
      case 'StartJobRun': {
        if (ofJob.some((run) => ['STARTING', 'RUNNING', 'STOPPING', 'WAITING'].includes(run.JobRunState))) {
          reply(
            400,
            { __type: 'ConcurrentRunsExceededException', Message: 'Concurrent runs exceeded for ' + jobName },
            'ConcurrentRunsExceededException',
          );
          return;
        }
        const run = { Id: `jr_${next++}`, JobName: jobName, JobRunState: 'RUNNING', StartedOn: Date.now() / 1000 };
        runs.push(run);
        reply(200, { JobRunId: run.Id });
        return;
      }
      default:
        reply(
          400,
          { __type: 'InvalidInputException', Message: `the fake does not speak ${operation}` },
          'InvalidInputException',
        );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new GlueClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
  return {
    client,
    runs,
    calls,
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
