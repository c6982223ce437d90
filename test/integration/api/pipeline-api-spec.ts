/**
 * The pipeline API on the local stack: GET /ops/pipeline and POST /ops/pipeline/glue/restart through
 * the local API Gateway, the real handler module, its signed Glue calls reaching the local Glue
 * service (the Glue JSON protocol over loopback HTTP), whose job runs are runs of the local Glue
 * engine, and the glue-run-events handler finishing a restart when the old run has stopped, as
 * EventBridge has it do in AWS. The fast path is the local pipeline (the clickstream handler on its
 * local event-source mapping), read by the handler's signed Lambda and CloudWatch calls from the
 * local Lambda and CloudWatch APIs. Run with the DuckDB engine and, where the Glue venv is present (always
 * in CI), with the Glue job's own PySpark code on Spark: pipeline-api.{duckdb,spark}.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPS_SCOPES } from '../../../definitions/api-routes.js';
import { tables as resourceTables, type TableId, tableEnvVar, tableIds } from '../../../definitions/resources.js';
import type {
  DlqRedriveAnswer,
  GlueRestartAnswer,
  PipelineHealth,
  PriceChange,
} from '../../../functions/domain/api-types.js';
import { PIPELINE_THRESHOLDS } from '../../../functions/domain/pipeline-health.js';
import { minuteOf, toIso } from '../../../functions/domain/time.js';
import { DemandStore } from '../../../functions/store/demand-store.js';
import { GlueJobRuns } from '../../../functions/store/glue-job-runs.js';
import { QuarantineStore } from '../../../functions/store/quarantine-store.js';
import type { LocalGlueEngineOptions } from '../../../glue/local-engine/index.js';
import { localGlueClient } from '../../../local/clients.js';
import { silentLogger } from '../../../local/event-source-mapping/index.js';
import { type LocalRichPath, startLocalRichPath } from '../../../local/local-rich-path.js';
import { localStackEnvironment } from '../../../local/local-stack.js';
import { type LocalPipeline, startLocalPipeline } from '../../../local/pipeline.js';
import { discardLastRecords, viewsNow } from '../../helpers/fast-path-records.js';
import { requireGluePython } from '../../helpers/glue-python.js';
import { createScratchStream, putRecords } from '../../helpers/kinesis-batches.js';
import { startTestApi, type TestApi } from '../../helpers/local-api.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

const PRODUCT = 'P-PIPELINE-1';

/**
 * The suite, for one engine: a test file per engine, because the handler modules read the Glue job's
 * name and endpoint once, when first imported.
 */
export function describePipelineApi(engine: 'duckdb' | 'spark', options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip ?? false)(`the pipeline API (${engine} engine)`, () => {
    const stack = useLocalStack();
    let richPath: LocalRichPath;
    let pipeline: LocalPipeline;
    let api: TestApi;
    let streamName: string;
    let names: Record<
      'products' | 'orders' | 'aggregates' | 'demand' | 'quarantine' | 'priceHistory' | 'pricingConfig',
      string
    >;

    beforeAll(async () => {
      Object.assign(process.env, localStackEnvironment(stack));
      const [tables, stream] = await Promise.all([
        createScratchTables(stack.clients.dynamodb, tableIds),
        createScratchStream(stack.clients.kinesis, 1),
      ]);
      names = tables;
      streamName = stream;
      // Before the rich path: its run-events handler reads the table names when first loaded.
      for (const [id, name] of Object.entries(names)) process.env[tableEnvVar(resourceTables[id as TableId])] = name;
      const options: LocalGlueEngineOptions = {
        clients: stack.clients,
        tableNames: names,
        streamName,
        engine:
          engine === 'spark'
            ? { name: 'spark', python: requireGluePython().python, dynamodbEndpoint: stack.endpoints.dynamodb }
            : { name: 'duckdb' },
      };
      // The fast path first: it sets the handlers' environment for these tables and the stream.
      pipeline = await startLocalPipeline(
        { ...stack, streamName, tableNames: { ...stack.tableNames, ...names } },
        { logger: silentLogger },
      );
      richPath = await startLocalRichPath(options);
      api = await startTestApi(stack, names);
    }, 180_000);

    afterAll(async () => {
      await pipeline?.stop();
      await richPath?.stop();
    }, 120_000);

    const health = async (token?: string) => {
      const response = await api.request('/ops/pipeline', token === undefined ? {} : { token });
      expect(response.status).toBe(200);
      return (await response.json()) as PipelineHealth;
    };
    /** The views counted for PRODUCT in the hour up to minute `to` (its events are of the last minutes). */
    const viewsOfProduct = async (to: string) => {
      const minutes = await new DemandStore(stack.clients.documents, names.demand).minutes(PRODUCT, to, 60);
      return minutes.reduce((sum, minute) => sum + minute.views, 0);
    };
    const redrive = (body: unknown, token?: string) =>
      api.request('/ops/pipeline/dlq/redrive', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        ...(token === undefined ? {} : { token }),
      });
    const restart = (body: unknown, token?: string) =>
      api.request('/ops/pipeline/glue/restart', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        ...(token === undefined ? {} : { token }),
      });

    describe('GET /ops/pipeline and POST /ops/pipeline/glue/restart', () => {
      it('reports the rich path green while its Glue run runs, and the thresholds behind the colours', async () => {
        const reader = api.token('reader', [OPS_SCOPES.read]);
        const answer = await health(reader);

        expect(answer.status).toBe('ok');
        expect(answer.richPath).toMatchObject({ status: 'ok', jobName: richPath.service.jobName, restart: null });
        expect(answer.richPath.run).toMatchObject({ state: 'RUNNING', completedAt: null, errorMessage: null });
        expect(answer.thresholds).toEqual(PIPELINE_THRESHOLDS);
      });

      it('reports the fast path: its mapping polling, its invocations and how far behind the stream it reads', async () => {
        const idle = (await health()).fastPath;
        expect(idle).toMatchObject({
          status: 'ok',
          mapping: { id: pipeline.mappings[0]?.mappingId, state: 'Enabled' },
          metrics: { errorsLastHour: 0, deadLettersSentLastHour: 0, deadLettersWaiting: 0 },
        });

        await putRecords(stack.clients.kinesis, streamName, viewsNow(5, PRODUCT));
        await pipeline.waitForIdle();
        const reading = await health();

        expect(reading.fastPath.status).toBe('ok');
        expect(reading.fastPath.mapping?.lastProcessingResult).toBe('OK');
        expect(reading.fastPath.metrics?.invocationsLastHour).toBeGreaterThan(idle.metrics?.invocationsLastHour ?? 0);
        expect(reading.fastPath.metrics?.iteratorAgeSeconds).toEqual(expect.any(Number));
        expect(reading.fastPath.why).toMatch(/^reading clicks, \d+ s behind the stream/);
      });

      it('reports the rich path’s last committed batch: its window, rows and how old its newest record is', async () => {
        await putRecords(stack.clients.kinesis, streamName, viewsNow(3, PRODUCT));
        await richPath.waitForIdle(180_000);
        const { richPath: rich } = await health();

        expect(rich.status).toBe('ok');
        expect(rich.lastBatch).toMatchObject({
          engine,
          records: expect.any(Number),
          rows: expect.any(Number),
          windowEnd: expect.stringMatching(/Z$/),
        });
        expect(rich.lastBatch?.records).toBeGreaterThan(0);
        expect(Date.parse(rich.lastBatch?.newestArrivalAt ?? '')).toBeLessThanOrEqual(Date.now());
        expect(rich.lagSeconds).toEqual(expect.any(Number));
        expect(rich.why).toMatch(/newest committed record \d+ s old/);
      }, 200_000);

      it('redrives the fast path’s dead letters from the stream by position: waiting, replayed, audited', async () => {
        await putRecords(stack.clients.kinesis, streamName, viewsNow(4, PRODUCT));
        await pipeline.waitForIdle();
        // A batch the mapping gave up on (as after a throttled table), named by position only.
        expect(await discardLastRecords(pipeline, stack.clients.kinesis, streamName, 4)).toBe(4);
        const waiting = (await health()).fastPath;
        expect(waiting).toMatchObject({ status: 'warn', why: '1 discarded batches wait in the DLQ' });
        expect(waiting.metrics).toMatchObject({ deadLettersWaiting: 1, deadLettersSentLastHour: 1 });

        // Both reads end at the same minute, though the redrive may take them past a minute's end.
        const to = minuteOf(toIso(Date.now()));
        const counted = await viewsOfProduct(to);
        const response = await redrive({ consumer: 'clickstream', reason: 'table throttling is over' });

        expect(response.status).toBe(200);
        // Its records were counted before they were discarded: replayed, and not counted twice.
        expect(await viewsOfProduct(to)).toBe(counted);
        expect(counted).toBeGreaterThanOrEqual(4);
        const answer = (await response.json()) as DlqRedriveAnswer;
        expect(answer.outcomes).toMatchObject([{ outcome: 'replayed', records: 4 }]);
        expect(answer.change).toMatchObject({
          productId: '_global',
          reasonCode: 'dlq_redriven',
          actor: 'test-ops',
          explanation: "Redrive of clickstream's dead letters (1 replayed): table throttling is over",
        });
        const after = (await health()).fastPath;
        expect(after.metrics?.deadLettersWaiting).toBe(0);
        expect(after.status).toBe('ok');
        // Nothing left: a second redrive replays nothing and says so.
        const again = (await (await redrive({ consumer: 'clickstream', reason: 'again' })).json()) as DlqRedriveAnswer;
        expect(again.outcomes).toEqual([]);
        expect(again.change.explanation).toMatch(/\(none waiting\)/);
      });

      it('refuses a redrive without a reason, of an unknown consumer, of too many, or by a reader, naming why', async () => {
        const cases: [unknown, string][] = [
          [{ consumer: 'clickstream' }, 'reason'],
          [{ consumer: 'checkout', reason: 'x' }, 'consumer'],
          [{ consumer: 'clickstream', reason: 'x', max: 0 }, 'max'],
          [{ consumer: 'clickstream', reason: 'x', max: 1_000 }, 'max'],
          [{ consumer: 'clickstream', reason: 'x', queue: 'mine' }, 'queue'],
        ];
        for (const [body, field] of cases) {
          const refused = await redrive(body);
          expect(refused.status, JSON.stringify(body)).toBe(400);
          expect(await refused.json()).toMatchObject({ error: 'invalid_request', field });
        }
        const reader = await redrive(
          { consumer: 'clickstream', reason: 'curious' },
          api.token('reader', [OPS_SCOPES.read]),
        );
        expect(reader.status).toBe(403);
      });

      it('counts the fast path’s quarantine of the last hour', async () => {
        const quarantine = new QuarantineStore(stack.clients.documents, names.quarantine);
        const arrivedAt = toIso(Date.now() - 60_000);
        await quarantine.put(
          ['1', '2', '3'].map((n) => ({
            source: 'fast-path',
            shardId: 'shardId-000000000000',
            sequenceNumber: `4960000000000000000000000${n}`,
            arrivedAt,
            reason: 'record is not JSON',
            data: Buffer.from('{'),
          })),
        );
        await quarantine.put([
          {
            source: 'fast-path',
            shardId: 'shardId-000000000000',
            sequenceNumber: '49600000000000000000000009',
            arrivedAt: toIso(Date.now() - 2 * 3_600_000),
            reason: 'an old one',
            data: Buffer.from('{'),
          },
        ]);

        expect((await health()).fastPath).toMatchObject({ status: 'ok', quarantinedLastHour: 3 });
      });

      it('refuses a restart without a reason, naming the field, and one by a reader', async () => {
        const missing = await restart({});
        expect(missing.status).toBe(400);
        expect(await missing.json()).toMatchObject({ error: 'invalid_request', field: 'reason' });
        const blank = await restart({ reason: '   ' });
        expect(blank.status).toBe(400);
        const reader = await restart({ reason: 'curious' }, api.token('reader', [OPS_SCOPES.read]));
        expect(reader.status).toBe(403);
        const actor = await restart({ reason: 'x', actor: 'someone-else' });
        expect(actor.status).toBe(400);
        expect(await actor.json()).toMatchObject({ field: 'actor' });
      });

      it('restarts the job: the old run stops, the ended-run event starts a new one, both steps audited', async () => {
        const before = (await health()).richPath.run;
        const response = await restart({ reason: 'stuck batches after a deploy' }, api.token('ops-alice'));

        expect(response.status).toBe(202);
        const { restart: asked, change } = (await response.json()) as GlueRestartAnswer;
        expect(asked).toMatchObject({
          state: 'stopping',
          requestedBy: 'ops-alice',
          reason: 'stuck batches after a deploy',
          stoppingRunIds: [before?.id],
        });
        expect(change).toMatchObject({
          productId: '_global',
          action: 'config',
          reasonCode: 'glue_restart_requested',
          actor: 'ops-alice',
        });

        // A second restart while the first is under way is refused, saying whose and since when. The
        // local engine may stop and its successor start before the request arrives (a Glue run takes
        // a minute): then it is a restart of its own. Both orders are checked with a slow Glue in
        // test/integration/use-cases/pipeline-control.test.ts.
        const again = await restart({ reason: 'me too' });
        if (again.status === 409) {
          const refusal = (await again.json()) as { message: string };
          // In progress; or its old run just stopped and this request started the next (the event's
          // handler and the request race to it, and one of them does it).
          expect(refusal.message).toMatch(/asked for by ops-alice at .* (is in progress|was still waiting)/);
        } else {
          expect(again.status).toBe(202);
          await again.body?.cancel();
        }

        await expect
          .poll(async () => (await health()).richPath.restart?.state, { timeout: 90_000, interval: 250 })
          .toBe('done');
        const after = await health();
        expect(after.richPath.run?.id).toBe(after.richPath.restart?.newRunId);
        expect(after.richPath.run?.id).not.toBe(before?.id);
        await expect
          .poll(async () => (await health()).richPath.run?.state, { timeout: 90_000, interval: 250 })
          .toBe('RUNNING');

        const feed = await api.request('/ops/changes?minutes=10');
        const reasons = ((await feed.json()) as { changes: PriceChange[] }).changes
          .filter((row) => row.reasonCode.startsWith('glue_'))
          .map((row) => [row.reasonCode, row.actor]);
        expect(reasons).toContainEqual(['glue_restart_requested', 'ops-alice']);
        expect(reasons).toContainEqual(['glue_restarted', 'ops-alice']);
      }, 200_000);

      it('turns red when the job has no active run, and a restart then starts one at once (200)', async () => {
        const client = localGlueClient(richPath.service.url);
        const runs = new GlueJobRuns(
          { config: client.config, endpoint: richPath.service.url },
          richPath.service.jobName,
        );
        try {
          await runs.stopActive();
          await expect
            .poll(async () => (await health()).richPath.status, { timeout: 90_000, interval: 250 })
            .toBe('down');
          expect((await health()).status).toBe('down');

          const response = await restart({ reason: 'the job was stopped by hand' });
          expect(response.status).toBe(200);
          const { restart: done } = (await response.json()) as GlueRestartAnswer;
          expect(done).toMatchObject({ state: 'done', stoppingRunIds: [], newRunId: expect.stringMatching(/^jr_/) });
          await expect
            .poll(async () => (await health()).richPath.status, { timeout: 90_000, interval: 250 })
            .toBe('ok');
        } finally {
          client.destroy();
        }
      }, 200_000);
    });
  });
}
