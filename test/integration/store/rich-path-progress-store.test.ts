/**
 * The rich path's progress item: the same item from TypeScript (the local engines) as from Python (the
 * Glue job, glue/job/clickprice/progress.py), held to the vectors both languages' tests read; and, in
 * DynamoDB Local, a re-run of an older batch never moves it back.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../definitions/local-services.js';
import type { RichPathProgress } from '../../../functions/domain/pipeline-health.js';
import { toIso } from '../../../functions/domain/time.js';
import { progressItem, RichPathProgressStore } from '../../../functions/store/rich-path-progress-store.js';
import { REPO_ROOT, requireGluePython, runsPythonSuites } from '../../helpers/glue-python.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

interface Vector {
  readonly input: {
    readonly batchId: number;
    readonly windowStart: string;
    readonly windowEnd: string;
    readonly records: number;
    readonly rejected: number;
    readonly rows: number;
    readonly newestArrivalMs: number;
    readonly committedAtMs: number;
  };
  readonly item: Record<string, unknown>;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../glue/job/tests/vectors/rich-path-progress.json', import.meta.url), 'utf8'),
) as Vector[];

/** A vector's batch as the local engine records it (it knows the times as epoch ms, as the Glue job does). */
function progressOf({ input }: Vector, engine: RichPathProgress['engine'] = 'glue'): RichPathProgress {
  return {
    batchId: input.batchId,
    windowStart: input.windowStart,
    windowEnd: input.windowEnd,
    records: input.records,
    rejected: input.rejected,
    rows: input.rows,
    newestArrivalAt: toIso(input.newestArrivalMs),
    committedAt: toIso(input.committedAtMs),
    engine,
  };
}

describe('the rich path progress item', () => {
  it('is the item the Glue job writes for the same batch, every vector', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(3);
    for (const vector of vectors) expect(progressItem(progressOf(vector))).toEqual(vector.item);
  });

  describe('in DynamoDB Local', () => {
    const stack = useLocalStack();
    let store: RichPathProgressStore;

    beforeAll(async () => {
      const { pricingConfig } = await createScratchTables(stack.clients.dynamodb, ['pricingConfig']);
      store = new RichPathProgressStore(stack.clients.documents, pricingConfig);
    });

    // The Glue job's own writer (glue/job/clickprice/progress.py) on the same table: the same rule.
    it.runIf(runsPythonSuites)(
      'is written by the Glue job’s Python under the same rule',
      async () => {
        const { pricingConfig } = await createScratchTables(stack.clients.dynamodb, ['pricingConfig']);
        const tableStore = new RichPathProgressStore(stack.clients.documents, pricingConfig);
        const [older, newer] = [...vectors].sort((a, b) => a.input.windowEnd.localeCompare(b.input.windowEnd)) as [
          Vector,
          Vector,
        ];
        const recordFromPython = (vector: Vector) => {
          const script = [
            'import json, sys',
            'from clickprice.batch import Dynamo',
            'from clickprice.progress import record_progress',
            'endpoint, table, item = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])',
            'print(json.dumps(record_progress(Dynamo(endpoint_url=endpoint, region=REGION), table, item)))',
          ]
            .join('\n')
            .replace('REGION', JSON.stringify(LOCAL_REGION));
          const run = spawnSync(
            requireGluePython().python,
            ['-c', script, stack.endpoints.dynamodb, pricingConfig, JSON.stringify(vector.item)],
            {
              cwd: join(REPO_ROOT, 'glue', 'job'),
              encoding: 'utf8',
              env: {
                ...process.env,
                AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
                AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
              },
            },
          );
          expect(run.status, run.stderr).toBe(0);
          return JSON.parse(run.stdout.trim()) as boolean;
        };

        expect(recordFromPython(newer)).toBe(true);
        expect(recordFromPython(older)).toBe(false);
        expect(await tableStore.latest()).toEqual(progressOf(newer));
        // And across languages: what Python wrote, TypeScript's writer will not move back either.
        expect(await tableStore.record(progressOf(older, 'duckdb'))).toBe(false);
      },
      60_000,
    );

    it('is null before the first batch, then the latest window recorded; an older window never replaces it', async () => {
      const [first, second] = [...vectors]
        .sort((a, b) => a.input.windowEnd.localeCompare(b.input.windowEnd))
        .map((vector) => progressOf(vector, 'duckdb')) as [RichPathProgress, RichPathProgress];
      expect(await store.latest()).toBeNull();

      expect(await store.record(second)).toBe(true);
      // A re-run of an older batch (a restart from an older checkpoint, say) comes later in time.
      expect(await store.record(first)).toBe(false);
      expect(await store.latest()).toEqual(second);
      // The same window again (a re-run of that batch) is recorded: same keys, same rows.
      expect(await store.record({ ...second, committedAt: toIso(Date.parse(second.committedAt) + 5_000) })).toBe(true);
    });
  });
});
