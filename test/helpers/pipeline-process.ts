/**
 * The local pipeline as a process of its own, against a local stack it does not own: what a test
 * kills with SIGKILL to see what survives (the tables, the stream and the checkpoints in the data
 * dir, as in AWS) and what does not (every module's memory, the batch in flight). It reads the stack
 * from PIPELINE_STACK (JSON of LocalStackInfo) and the data dir from PIPELINE_DATA_DIR, and prints a
 * line of JSON every 200 ms: the clickstream mapping's records succeeded and discarded, and whether
 * it has drained its stream.
 */
import { createLocalClients } from '../../local/clients.js';
import { silentLogger } from '../../local/event-source-mapping/index.js';
import type { LocalStackInfo } from '../../local/local-stack.js';
import { startLocalPipeline } from '../../local/pipeline.js';

export interface PipelineProcessReport {
  readonly succeeded: number;
  readonly discarded: number;
  readonly idle: boolean;
  readonly at: number;
}

const info = JSON.parse(process.env.PIPELINE_STACK as string) as LocalStackInfo;
const clients = createLocalClients(info.endpoints);
const pipeline = await startLocalPipeline(
  { ...info, clients },
  { logger: silentLogger, dataDir: process.env.PIPELINE_DATA_DIR as string },
);
for (;;) {
  const idle = await pipeline.waitForIdle(200).then(
    () => true,
    () => false,
  );
  const stats = pipeline.mappings[0]?.stats();
  const report: PipelineProcessReport = {
    succeeded: stats?.recordsSucceeded ?? 0,
    discarded: stats?.recordsDiscarded ?? 0,
    idle,
    at: Date.now(),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  if (idle) await new Promise((resolve) => setTimeout(resolve, 200));
}
