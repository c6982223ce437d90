import { afterEach, describe, expect, it } from 'vitest';
import { handleStarterEvent, type StarterEvent } from '../../../functions/handlers/glue-job-starter.js';
import { type FakeGlue, startFakeGlue } from '../../helpers/fake-glue.js';

const JOB = 'clickprice-aggregation';
const soon = () => ({ deadline: Date.now() + 5_000, pollMs: 10 });
let glue: FakeGlue;

afterEach(async () => glue?.close());

function event(
  RequestType: StarterEvent['RequestType'],
  JobName: unknown = JOB,
  PhysicalResourceId?: string,
): StarterEvent {
  return { RequestType, ResourceProperties: { JobName }, ...(PhysicalResourceId ? { PhysicalResourceId } : {}) };
}

describe('the Glue job starter (a custom resource, against a fake of the Glue API)', () => {
  it('starts a run when the stack creates the job', async () => {
    glue = await startFakeGlue();

    const result = await handleStarterEvent(event('Create'), glue.connection, soon());

    expect(result).toEqual({ PhysicalResourceId: JOB, Data: { JobRunId: 'jr_1' } });
    expect(glue.runs.map((run) => run.JobRunState)).toEqual(['RUNNING']);
  });

  it('on a retried Create, keeps the run already going instead of starting a second', async () => {
    glue = await startFakeGlue();
    await handleStarterEvent(event('Create'), glue.connection, soon());

    const again = await handleStarterEvent(event('Create'), glue.connection, soon());

    expect(again.Data.JobRunId).toBe('jr_1');
    expect(glue.runs).toHaveLength(1);
  });

  it('on an update, stops the running run, waits until Glue says it stopped, then starts one on the new definition', async () => {
    glue = await startFakeGlue({ stopPolls: 3 });
    await handleStarterEvent(event('Create'), glue.connection, soon());

    const result = await handleStarterEvent(event('Update', JOB, JOB), glue.connection, soon());

    expect(result.Data.JobRunId).toBe('jr_2');
    expect(glue.runs.map((run) => [run.Id, run.JobRunState])).toEqual([
      ['jr_1', 'STOPPED'],
      ['jr_2', 'RUNNING'],
    ]);
    // Started only after the stop went through: no ConcurrentRunsExceeded along the way.
    expect(glue.calls.filter((call) => call.startsWith('GetJobRuns')).length).toBeGreaterThanOrEqual(4);
  });

  it('on delete, stops the run and leaves the job idle', async () => {
    glue = await startFakeGlue();
    await handleStarterEvent(event('Create'), glue.connection, soon());

    await handleStarterEvent(event('Delete', JOB, JOB), glue.connection, soon());

    expect(glue.runs.map((run) => run.JobRunState)).toEqual(['STOPPED']);
  });

  it('fails, naming the run, when a stop does not go through before the deadline', async () => {
    glue = await startFakeGlue({ stopPolls: 1_000 });
    await handleStarterEvent(event('Create'), glue.connection, soon());

    await expect(
      handleStarterEvent(event('Update', JOB, JOB), glue.connection, { deadline: Date.now() + 100, pollMs: 10 }),
    ).rejects.toThrow(/runs of clickprice-aggregation still active at the deadline: jr_1 STOPPING/);
  });

  it('refuses an event without a job name, and reports Glue’s own error for an unknown job', async () => {
    glue = await startFakeGlue();

    await expect(handleStarterEvent(event('Create', ''), glue.connection, soon())).rejects.toThrow(/JobName must be/);
    await expect(handleStarterEvent(event('Create', 'no-such-job'), glue.connection, soon())).rejects.toThrow(
      /Job no-such-job not found/,
    );
  });
});
