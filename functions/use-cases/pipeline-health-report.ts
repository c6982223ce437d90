/**
 * How healthy each path of the pricing pipeline is (GET /ops/pipeline): the rich path's Glue run and
 * last committed batch, and the fast path's mapping, metrics and quarantine. The mapping and the
 * metrics, read from other services, are shown as unread when they cannot be read (a metric service
 * down, an API deployed without the fast path's names) rather than failing the answer; the Glue run
 * and the tables are what the answer is about, and their failures are the API's.
 */
import type { PipelineHealth } from '../domain/api-types.js';
import {
  type FastPathMetrics,
  fastPathHealth,
  type MappingView,
  PIPELINE_THRESHOLDS,
  richPathHealth,
  richPathLagSeconds,
  worstOf,
} from '../domain/pipeline-health.js';
import { toIso } from '../domain/time.js';
import type { EventSourceMappings } from '../store/event-source-mappings.js';
import type { FastPathMetricsReader } from '../store/fast-path-metrics.js';
import type { GlueJobRuns } from '../store/glue-job-runs.js';
import type { GlueRestartStore } from '../store/glue-restart-store.js';
import type { QuarantineStore } from '../store/quarantine-store.js';
import type { RichPathProgressStore } from '../store/rich-path-progress-store.js';
import { publicView } from './pipeline-control.js';

const HOUR_MS = 3_600_000;

export interface PipelineHealthDependencies {
  readonly glue: GlueJobRuns;
  readonly restarts: GlueRestartStore;
  readonly quarantine: QuarantineStore;
  readonly progress: RichPathProgressStore;
  /** What the fast path's health is read from; null where the API was deployed without them. */
  readonly fastPath: {
    readonly mappings: EventSourceMappings;
    readonly mappingId: string;
    readonly metrics: FastPathMetricsReader;
  } | null;
  /** Told when a reading fails: the answer then says it could not be read. */
  readonly onReadError?: (what: string, error: unknown) => void;
  /** @default Date.now */
  readonly clock?: () => number;
}

export class PipelineHealthReport {
  private readonly clock: () => number;

  constructor(private readonly deps: PipelineHealthDependencies) {
    this.clock = deps.clock ?? Date.now;
  }

  async health(): Promise<PipelineHealth> {
    const now = this.clock();
    const fast = this.deps.fastPath;
    const [run, restart, lastBatch, quarantinedLastHour, mapping, metrics] = await Promise.all([
      this.deps.glue.latest(),
      this.deps.restarts.latest(),
      this.deps.progress.latest(),
      this.deps.quarantine.countSince(toIso(now - HOUR_MS), toIso(now)),
      this.readOrNull<MappingView>('event-source mapping', () => fast?.mappings.describe(fast.mappingId)),
      this.readOrNull<FastPathMetrics>('fast-path metrics', () => fast?.metrics.read(now)),
    ]);
    // The fast path's iterator age is reported only while it has read clicks in the last minutes;
    // with no metrics to tell, a lagging rich path is reported as if clicks were arriving.
    const clicksArriving = metrics === null || metrics.iteratorAgeSeconds !== null;
    const richPath = richPathHealth(run, lastBatch, now, clicksArriving);
    const fastPath = fastPathHealth({ mapping, metrics, quarantinedLastHour });
    return {
      checkedAt: toIso(now),
      status: worstOf([richPath.status, fastPath.status]),
      richPath: {
        ...richPath,
        jobName: this.deps.glue.jobName,
        run,
        restart: restart && publicView(restart),
        lastBatch,
        lagSeconds: richPathLagSeconds(lastBatch, now),
      },
      fastPath: { ...fastPath, quarantinedLastHour, mapping, metrics },
      thresholds: PIPELINE_THRESHOLDS,
    };
  }

  /** A reading the health can do without: null (and reported) when it fails or is not configured. */
  private async readOrNull<T>(what: string, read: () => Promise<T> | undefined): Promise<T | null> {
    try {
      return (await read()) ?? null;
    } catch (error) {
      this.deps.onReadError?.(what, error);
      return null;
    }
  }
}
