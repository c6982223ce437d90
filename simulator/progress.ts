import type { SimulationProgress } from './run-simulation.js';

const number = new Intl.NumberFormat('en-US');

/**
 * One status line:
 * `  12.0 s │ 503 ev/s │ 1,204 sessions │ 18 purchases │ 0 failures │ 0 throttles │ 0 queued │ 0 lost │ 0 abandoned`.
 */
export function formatProgress(progress: SimulationProgress): string {
  return [
    `${progress.elapsedSeconds.toFixed(1).padStart(7)} s`,
    `${number.format(progress.eventsPerSecond)} ev/s`,
    `${number.format(progress.sessions)} sessions`,
    `${number.format(progress.purchases)} purchases`,
    `${number.format(progress.failures)} failures`,
    `${number.format(progress.throttles)} throttles`,
    `${number.format(progress.queued)} queued`,
    `${number.format(progress.lost)} lost`,
    `${number.format(progress.abandoned)} abandoned`,
  ].join(' │ ');
}

/** Rewrites one line in place on a terminal (carriage return, then clear to the end of the line). */
export function progressWriter(stream: NodeJS.WriteStream): { update(line: string): void; end(): void } {
  let written = false;
  return {
    update(line) {
      stream.write(`\r${line}\u001b[K`);
      written = true;
    },
    end() {
      if (written) stream.write('\n');
      written = false;
    },
  };
}
