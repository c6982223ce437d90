/**
 * The streaming Glue job kept running after a run ends in TIMEOUT: against the Glue API's test fake
 * (HTTP level, the real client; MaxConcurrentRuns 1) and the global history in DynamoDB Local.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { GLOBAL_HISTORY_ID } from '../../../functions/domain/price-history.js';
import { GlueJobRuns } from '../../../functions/store/glue-job-runs.js';
import { PriceHistoryStore } from '../../../functions/store/price-history-store.js';
import { GlueRunKeeper } from '../../../functions/use-cases/glue-run-keeper.js';
import { type FakeGlue, startFakeGlue } from '../../helpers/fake-glue.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

const JOB = 'clickprice-aggregation';
const AT = '2026-12-13T03:00:00.000Z';
const stack = useLocalStack();

describe('GlueRunKeeper', () => {
  let glue: FakeGlue;
  let history: PriceHistoryStore;
  let keeper: GlueRunKeeper;

  beforeEach(async () => {
    glue = await startFakeGlue({ jobs: [JOB] });
    const names = await createScratchTables(stack.clients.dynamodb, ['priceHistory']);
    history = new PriceHistoryStore(stack.clients.documents, names.priceHistory);
    keeper = new GlueRunKeeper({ glue: new GlueJobRuns(glue.connection, JOB), history });
    await new GlueJobRuns(glue.connection, JOB).start();
    return () => glue.close();
  });

  /** The run as Glue ends it, and the event it sends. */
  const endFirstRun = (state: string) => {
    (glue.runs[0] as { JobRunState: string }).JobRunState = state;
    return { jobName: JOB, jobRunId: 'jr_1', state };
  };
  const starts = () => glue.calls.filter((call) => call.startsWith('StartJobRun')).length;

  it('starts the next run after a run timed out, once however often the event comes, and records it', async () => {
    const timedOut = endFirstRun('TIMEOUT');

    expect(await keeper.onRunEnded(timedOut, AT)).toEqual({ timedOutRunId: 'jr_1', newRunId: 'jr_2' });
    expect(await keeper.onRunEnded(timedOut, AT)).toBeNull();

    expect(glue.runs.map((run) => [run.Id, run.JobRunState])).toEqual([
      ['jr_1', 'TIMEOUT'],
      ['jr_2', 'RUNNING'],
    ]);
    expect(starts()).toBe(2);
    const rows = await history.all(GLOBAL_HISTORY_ID);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      changedAt: AT,
      reasonCode: 'glue_restarted',
      actor: 'glue-run-events',
      explanation: 'Glue job run jr_1 ended in TIMEOUT; the next run is started in its place',
    });
  });

  it('records the timeout once, and starts the run on the event’s retry when the first start failed', async () => {
    class FailingOnce extends GlueJobRuns {
      private failed = false;
      override async start(): Promise<string> {
        if (this.failed) return super.start();
        this.failed = true;
        throw new Error('Rate exceeded');
      }
    }
    const failingOnce = new GlueRunKeeper({ glue: new FailingOnce(glue.connection, JOB), history });
    const timedOut = endFirstRun('TIMEOUT');

    await expect(failingOnce.onRunEnded(timedOut, AT)).rejects.toThrow('Rate exceeded');
    expect(await failingOnce.onRunEnded(timedOut, AT)).toEqual({ timedOutRunId: 'jr_1', newRunId: 'jr_2' });

    expect(await history.all(GLOBAL_HISTORY_ID)).toHaveLength(1);
  });

  it('keeps the record when the start’s answer was lost, and the event’s retry finds the run active', async () => {
    class AnswerLostOnce extends GlueJobRuns {
      private lost = false;
      override async start(): Promise<string> {
        const id = await super.start();
        if (this.lost) return id;
        this.lost = true;
        throw new Error('socket hang up');
      }
    }
    const answerLost = new GlueRunKeeper({ glue: new AnswerLostOnce(glue.connection, JOB), history });
    const timedOut = endFirstRun('TIMEOUT');

    await expect(answerLost.onRunEnded(timedOut, AT)).rejects.toThrow('socket hang up');
    expect(await answerLost.onRunEnded(timedOut, AT)).toBeNull();

    expect(glue.runs.map((run) => run.JobRunState)).toEqual(['TIMEOUT', 'RUNNING']);
    expect((await history.all(GLOBAL_HISTORY_ID)).map((row) => row.reasonCode)).toEqual(['glue_restarted']);
  });

  it('starts nothing when Glue (its maintenance window) or ops already started the next run', async () => {
    const timedOut = endFirstRun('TIMEOUT');
    await new GlueJobRuns(glue.connection, JOB).start();

    expect(await keeper.onRunEnded(timedOut, AT)).toBeNull();
    expect(starts()).toBe(2);
    expect(await history.all(GLOBAL_HISTORY_ID)).toEqual([]);
  });

  it('leaves a run that failed or was stopped to Glue’s retries and to ops, and another job’s runs alone', async () => {
    expect(await keeper.onRunEnded(endFirstRun('FAILED'), AT)).toBeNull();
    expect(await keeper.onRunEnded(endFirstRun('STOPPED'), AT)).toBeNull();
    expect(await keeper.onRunEnded({ jobName: 'another-job', jobRunId: 'jr_9', state: 'TIMEOUT' }, AT)).toBeNull();
    expect(starts()).toBe(1);
  });
});
