/**
 * Restarting the Glue job, against a Glue that takes its time: the test fake of the Glue API (HTTP
 * level, the real client) keeps a run STOPPING for a few GetJobRuns calls, as a streaming run stops
 * only after its batch in flight. The restart item and its audit rows are in DynamoDB Local.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../functions/domain/errors.js';
import { GLOBAL_HISTORY_ID } from '../../../functions/domain/price-history.js';
import { GlueJobRuns } from '../../../functions/store/glue-job-runs.js';
import { GlueRestartStore } from '../../../functions/store/glue-restart-store.js';
import { PriceHistoryStore } from '../../../functions/store/price-history-store.js';
import { PipelineControl } from '../../../functions/use-cases/pipeline-control.js';
import { type FakeGlue, startFakeGlue } from '../../helpers/fake-glue.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

const JOB = 'clickprice-aggregation';
const stack = useLocalStack();

describe('PipelineControl.restartGlue with a Glue run that stops slowly', () => {
  let glue: FakeGlue;
  let control: PipelineControl;
  let history: PriceHistoryStore;
  let restarts: GlueRestartStore;
  let restartTables: Record<'pricingConfig' | 'priceHistory', string>;

  beforeEach(async () => {
    glue = await startFakeGlue({ stopPolls: 3, jobs: [JOB] });
    const names = await createScratchTables(stack.clients.dynamodb, ['pricingConfig', 'priceHistory']);
    restartTables = names;
    const { documents } = stack.clients;
    restarts = new GlueRestartStore(documents, names);
    control = new PipelineControl({ glue: new GlueJobRuns(glue.connection, JOB), restarts });
    history = new PriceHistoryStore(documents, names.priceHistory);
    await new GlueJobRuns(glue.connection, JOB).start();
    return () => glue.close();
  });

  const restartBy = (actor: string, reason = 'stuck') => control.restartGlue({ actor, reason });
  const stopped = (jobRunId: string) => ({ jobName: JOB, jobRunId, state: 'STOPPED' });

  it('stops the run, refuses a second restart meanwhile, and starts the next run when the old one has ended', async () => {
    const { status, answer } = await restartBy('alice');
    expect(status).toBe(202);
    const oldRun = answer.restart.stoppingRunIds[0] as string;
    expect(glue.runs.find((run) => run.Id === oldRun)?.JobRunState).toBe('STOPPING');

    await expect(restartBy('bob')).rejects.toThrow(ConflictError);
    await expect(restartBy('bob')).rejects.toThrow(
      /asked for by alice at .* is in progress: waiting for run jr_1 to stop/,
    );

    // The run is still stopping when a (premature) event comes: nothing is started yet.
    expect(await control.onRunEnded(stopped(oldRun))).toBeNull();
    for (let poll = 0; poll < 4; poll++) await new GlueJobRuns(glue.connection, JOB).active();
    const done = await control.onRunEnded(stopped(oldRun));

    expect(done).toMatchObject({ state: 'done', requestedBy: 'alice', newRunId: 'jr_2' });
    expect(glue.runs.map((run) => [run.Id, run.JobRunState])).toEqual([
      ['jr_1', 'STOPPED'],
      ['jr_2', 'RUNNING'],
    ]);
    // A redelivered event finds the restart done and starts nothing.
    expect(await control.onRunEnded(stopped(oldRun))).toBeNull();
    expect(glue.runs).toHaveLength(2);

    const rows = await history.all(GLOBAL_HISTORY_ID);
    expect(rows.map((row) => [row.reasonCode, row.actor]).sort()).toEqual([
      ['glue_restart_requested', 'alice'],
      ['glue_restarted', 'alice'],
    ]);
  });

  it('ignores the end of a run no restart waits for, and events of other jobs', async () => {
    expect(await control.onRunEnded(stopped('jr_1'))).toBeNull();
    expect(await control.onRunEnded({ jobName: 'another-job', jobRunId: 'jr_1', state: 'FAILED' })).toBeNull();
    expect(glue.runs).toHaveLength(1);
  });

  it('completes a restart whose ended-run event never came when the next is asked for, and says so', async () => {
    const { answer } = await restartBy('alice');
    for (let poll = 0; poll < 4; poll++) await new GlueJobRuns(glue.connection, JOB).active();
    expect(glue.runs[0]?.JobRunState).toBe('STOPPED');

    await expect(restartBy('bob')).rejects.toThrow(
      /asked for by alice .* was still waiting; its old run had stopped, so it started run jr_2 now/,
    );
    expect(await restarts.latest()).toMatchObject({
      requestedAt: answer.restart.requestedAt,
      state: 'done',
      newRunId: 'jr_2',
    });
  });

  it('takes a run someone else started meanwhile as the restart’s, when nothing was stopping', async () => {
    const runs = new GlueJobRuns(glue.connection, JOB);
    await runs.stopActive();
    for (let poll = 0; poll < 4; poll++) await runs.active();
    // Between the restart finding no run and starting one, another run starts (the console, say).
    class Raced extends GlueJobRuns {
      override async start(): Promise<string> {
        await super.start();
        return super.start();
      }
    }
    const raced = new PipelineControl({
      glue: new Raced(glue.connection, JOB),
      restarts: new GlueRestartStore(stack.clients.documents, restartTables),
    });

    const { status, answer } = await raced.restartGlue({ actor: 'alice', reason: 'after maintenance' });

    expect(status).toBe(200);
    expect(answer.restart).toMatchObject({ state: 'done', newRunId: 'jr_2', stoppingRunIds: [] });
    expect(glue.runs.filter((run) => run.JobRunState === 'RUNNING').map((run) => run.Id)).toEqual(['jr_2']);
    expect(await restarts.latest()).toMatchObject({ state: 'done', newRunId: 'jr_2' });
  });

  it('refuses a restart with no reason, or only spaces, naming the field', async () => {
    await expect(control.restartGlue({ actor: 'alice' } as never)).rejects.toMatchObject({ field: 'reason' });
    await expect(restartBy('alice', '  ')).rejects.toMatchObject({ field: 'reason' });
    expect(glue.calls.filter((call) => call.startsWith('BatchStopJobRun'))).toEqual([]);
  });
});
