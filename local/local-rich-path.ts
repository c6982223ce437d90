/**
 * The local stack's rich path as AWS runs it: the local Glue service (the Glue API) whose job runs
 * are runs of the local Glue engine, started on start-up through the API as the deploy-time starter
 * starts the job in AWS, and its ended runs handed to the glue-run-events handler as EventBridge hands
 * them to it in AWS, so a restart asked for through the pipeline API completes here as there.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventBridgeEvent } from 'aws-lambda';
import { GLUE_RUN_END_EVENT_STATES } from '../definitions/event-sources.js';
import { LOCAL_REGION } from '../definitions/local-services.js';
import type { GlueJobStateChangeDetail } from '../functions/handlers/glue-run-events.js';
import { GLUE_JOB_NAME_ENV, GlueJobRuns } from '../functions/store/glue-job-runs.js';
import {
  type LocalGlueEngine,
  type LocalGlueEngineOptions,
  type LocalGlueEngineStats,
  startLocalGlueEngine,
} from '../glue/local-engine/index.js';
import type { GlueEngineName } from '../glue/local-engine/window-aggregation.js';
import { localGlueClient } from './clients.js';
import { invokeHandler, logStreamNameFor, type StreamHandler } from './event-source-mapping/index.js';
import { type GlueJobStateChange, type LocalGlueService, startLocalGlueService } from './local-glue-service.js';

/** The states EventBridge's rule passes on to the run-events function, as in AWS. */
const RULE_STATES: ReadonlySet<string> = new Set(GLUE_RUN_END_EVENT_STATES);

export interface LocalRichPath {
  readonly service: LocalGlueService;
  readonly engineName: GlueEngineName;
  /** The environment the handlers need to reach the local Glue API (set in process.env too). */
  readonly environment: Readonly<Record<string, string>>;
  /** Resolves once the running engine has committed a batch planned after this call. */
  waitForIdle(timeoutMs: number): Promise<void>;
  /** Counters summed over every run so far. */
  stats(): LocalGlueEngineStats;
  stop(): Promise<void>;
}

/** Starts the Glue service, then the job's first run; resolves once that run is RUNNING. */
export async function startLocalRichPath(options: LocalGlueEngineOptions): Promise<LocalRichPath> {
  // Every run resumes from the job's checkpoint, as a Glue run does from S3: one state dir for all
  // runs (the engine would make each run a temporary one of its own).
  const temporaryStateDir = options.stateDir === undefined ? await mkdtemp(join(tmpdir(), 'clickprice-glue-')) : null;
  const engineOptions = { ...options, stateDir: options.stateDir ?? (temporaryStateDir as string) };
  const engineName: GlueEngineName = engineOptions.engine?.name ?? 'duckdb';
  const engines: LocalGlueEngine[] = [];
  let runEvents: StreamHandler<EventBridgeEvent<'Glue Job State Change', GlueJobStateChangeDetail>> | null = null;

  const onStateChange = async (change: GlueJobStateChange) => {
    if (!RULE_STATES.has(change.state) || runEvents === null) return;
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Glue Job State Change' as const,
      source: 'aws.glue',
      account: '000000000000',
      time: new Date().toISOString(),
      region: LOCAL_REGION,
      resources: [],
      detail: change,
    };
    await invokeHandler(runEvents, event, randomUUID(), {
      functionName: 'clickprice-glue-run-events',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:clickprice-glue-run-events',
      memorySizeMb: 256,
      timeoutSeconds: 30,
      logStreamName: logStreamNameFor(Date.now()),
      clock: { now: Date.now },
    }).catch((error: unknown) => engineOptions.logger?.error('glue-run-events failed', { error: String(error) }));
  };

  const service = await startLocalGlueService({
    startEngine: async () => {
      const engine = await startLocalGlueEngine(engineOptions);
      engines.push(engine);
      return engine;
    },
    onStateChange,
  });
  const environment = { AWS_ENDPOINT_URL_GLUE: service.url, [GLUE_JOB_NAME_ENV]: service.jobName };
  Object.assign(process.env, environment);
  // The module reads its job name and endpoint when first loaded: after the environment is set.
  runEvents = (await import('../functions/handlers/glue-run-events.js')).handler as unknown as typeof runEvents;

  const client = localGlueClient(service.url);
  try {
    const runs = new GlueJobRuns({ config: client.config, endpoint: service.url }, service.jobName);
    const runId = await runs.start();
    for (;;) {
      const run = await runs.latest();
      if (run?.id === runId && run.state === 'RUNNING') break;
      if (run?.id === runId && run.state === 'FAILED')
        throw new Error(`the local Glue job failed to start: ${run.errorMessage}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await service.stop();
    if (temporaryStateDir !== null) await rm(temporaryStateDir, { recursive: true, force: true });
    throw error;
  } finally {
    client.destroy();
  }

  return {
    service,
    engineName,
    environment,
    waitForIdle(timeoutMs) {
      const engine = service.engine();
      if (engine === null) return Promise.reject(new Error('no local Glue run is running'));
      return engine.waitForIdle(timeoutMs);
    },
    stats() {
      const all = engines.map((engine) => engine.stats());
      const sum = (pick: (stats: LocalGlueEngineStats) => number) =>
        all.reduce((total, stats) => total + pick(stats), 0);
      return {
        batchesCommitted: sum((stats) => stats.batchesCommitted),
        batchesRerun: sum((stats) => stats.batchesRerun),
        recordsRead: sum((stats) => stats.recordsRead),
        eventsAggregated: sum((stats) => stats.eventsAggregated),
        recordsRejected: sum((stats) => stats.recordsRejected),
        rowsWritten: sum((stats) => stats.rowsWritten),
        lastBatch: all.findLast((stats) => stats.lastBatch !== null)?.lastBatch ?? null,
      };
    },
    async stop() {
      await service.stop();
      if (temporaryStateDir !== null) await rm(temporaryStateDir, { recursive: true, force: true });
    },
  };
}
