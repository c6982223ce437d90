import { formatProgress, progressWriter } from './progress.js';
import { runSimulation, type SimulationOptions, type SimulationSummary } from './run-simulation.js';

/** The few numbers of a run worth a line in another program's summary (the full one is long). */
export interface SimulationHeadline {
  readonly scenario: string | null;
  readonly description: string | null;
  readonly records: number;
  readonly valid: number;
  readonly bot: number;
  readonly duplicate: number;
  readonly bad: number;
  readonly sessions: number;
  readonly purchases: number;
  readonly ordersWritten: number;
  /** Units purchases took from stock, and purchases that found their product sold out. */
  readonly unitsSold: number;
  readonly lostPurchases: number;
  readonly throttled: number;
  /** Records given up on: refused maxAttempts times, or the stream failed. */
  readonly lost: number;
  /** Records never sent because the run was stopped at once. */
  readonly abandoned: number;
  readonly endedBy: SimulationSummary['endedBy'];
}

export function headlineOf(summary: SimulationSummary): SimulationHeadline {
  const { records } = summary;
  return {
    scenario: summary.scenario,
    description: summary.scenarioDescription,
    records: records.total,
    valid: records.valid,
    bot: records.bot,
    duplicate: records.duplicate,
    bad: records.badTotal,
    sessions: summary.sessions,
    purchases: records.purchases,
    ordersWritten: summary.orders.written,
    unitsSold: summary.stock?.unitsSold ?? 0,
    lostPurchases: summary.stock?.lostPurchases ?? 0,
    throttled: summary.sender.throttledEntries,
    lost: summary.sender.lostRecords,
    abandoned: summary.sender.abandonedRecords,
    endedBy: summary.endedBy,
  };
}

/** A simulation running alongside something else, until stopped. */
export interface BackgroundSimulation {
  /**
   * Stops generating and resolves with the headline (or the error that ended it): after sending what
   * is queued (`drain`), or at once, abandoning it (`now`: the stack is going away anyway).
   */
  stop(mode?: 'drain' | 'now'): Promise<SimulationHeadline | { readonly error: string }>;
}

/**
 * Starts a simulation that runs until stop() — what `npm start` uses so prices move without a second
 * terminal. A failure is reported on stderr and in the result, never thrown: the stack around it
 * keeps running. On a terminal, a progress line is kept up to date on stderr.
 */
export function startBackgroundSimulation(
  options: Omit<SimulationOptions, 'signal' | 'stopNow' | 'onProgress'>,
): BackgroundSimulation {
  const controller = new AbortController();
  const stopNow = new AbortController();
  const progress = process.stderr.isTTY ? progressWriter(process.stderr) : null;
  const run = runSimulation({
    ...options,
    signal: controller.signal,
    stopNow: stopNow.signal,
    onProgress: progress ? (snapshot) => progress.update(`simulator ${formatProgress(snapshot)}`) : undefined,
  }).then(
    (summary) => {
      // Records lost (a stream that failed ends the run early, not with an error) are worth a line.
      if (summary.sender.lostRecords > 0) {
        progress?.end();
        process.stderr.write(`simulator: ${summary.sender.lostRecords} records lost: ${summary.sender.lostReason}\n`);
      }
      return headlineOf(summary);
    },
    (error: Error) => {
      progress?.end();
      process.stderr.write(`simulator stopped: ${error.name}: ${error.message}\n`);
      return { error: `${error.name}: ${error.message}` };
    },
  );
  return {
    async stop(mode = 'drain') {
      controller.abort();
      if (mode === 'now') stopNow.abort();
      const result = await run;
      progress?.end();
      return result;
    },
  };
}
