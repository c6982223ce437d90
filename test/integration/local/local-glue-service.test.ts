/**
 * The local Glue service as a Glue client sees it: job runs of the local engine, reported, refused
 * and stopped with Glue's answers and error types, and each state change handed on in order.
 */
import {
  ConcurrentRunsExceededException,
  EntityNotFoundException,
  GetJobRunCommand,
  type GlueClient,
  StartJobRunCommand,
} from '@aws-sdk/client-glue';
import { afterEach, describe, expect, it } from 'vitest';
import { GlueJobRuns } from '../../../functions/store/glue-job-runs.js';
import type { LocalGlueEngine } from '../../../glue/local-engine/index.js';
import { localGlueClient } from '../../../local/clients.js';
import {
  type GlueJobStateChange,
  LOCAL_GLUE_JOB_NAME,
  startLocalGlueService,
} from '../../../local/local-glue-service.js';

/** An engine whose stop is observed: the service's contract with the engine is start, stop, stats. */
function engineDouble() {
  const engine = { stopped: 0, stop: async () => void engine.stopped++ };
  return engine as typeof engine & LocalGlueEngine;
}

const clients: GlueClient[] = [];
const services: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(services.splice(0).map((service) => service.stop()));
});

async function serviceWith(startEngine: () => Promise<LocalGlueEngine>) {
  const changes: GlueJobStateChange[] = [];
  const service = await startLocalGlueService({
    startEngine,
    onStateChange: async (change) => void changes.push(change),
  });
  services.push(service);
  const client = localGlueClient(service.url, { maxAttempts: 1 });
  clients.push(client);
  const runs = new GlueJobRuns({ config: client.config, endpoint: service.url }, LOCAL_GLUE_JOB_NAME);
  return { service, client, runs, changes };
}

describe('the local Glue service', () => {
  it('runs the engine as the job run, one at a time, and stops it when asked', async () => {
    const engine = engineDouble();
    const { service, client, runs, changes } = await serviceWith(async () => engine);

    const id = await runs.start();
    await expect.poll(async () => (await runs.latest())?.state).toBe('RUNNING');
    expect(service.engine()).toBe(engine);
    await expect(client.send(new StartJobRunCommand({ JobName: LOCAL_GLUE_JOB_NAME }))).rejects.toBeInstanceOf(
      ConcurrentRunsExceededException,
    );

    expect(await runs.stopActive()).toEqual([id]);
    await expect.poll(async () => (await runs.latest())?.state).toBe('STOPPED');
    expect(engine.stopped).toBe(1);
    const { JobRun } = await client.send(new GetJobRunCommand({ JobName: LOCAL_GLUE_JOB_NAME, RunId: id }));
    expect(JobRun?.CompletedOn).toBeInstanceOf(Date);
    await service.settled();
    expect(changes.map((change) => change.state)).toEqual(['STARTING', 'RUNNING', 'STOPPING', 'STOPPED']);
  });

  it('fails a run whose engine cannot start, with the reason as its error message', async () => {
    const { runs } = await serviceWith(async () => {
      throw new Error('no Python for Spark');
    });

    await runs.start();

    await expect.poll(async () => (await runs.latest())?.state).toBe('FAILED');
    expect(await runs.latest()).toMatchObject({ errorMessage: 'no Python for Spark', completedAt: expect.any(String) });
  });

  it('answers an unknown job as Glue does', async () => {
    const { client } = await serviceWith(async () => engineDouble());

    await expect(client.send(new StartJobRunCommand({ JobName: 'not-this-one' }))).rejects.toBeInstanceOf(
      EntityNotFoundException,
    );
  });
});
