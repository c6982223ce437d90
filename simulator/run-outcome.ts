import type { SenderStats } from './kinesis-sender.js';

const number = new Intl.NumberFormat('en-US');

/** How `npm run simulate` ends: its exit code and the stderr lines that say why. */
export interface RunOutcome {
  readonly exitCode: 0 | 1 | 130;
  readonly messages: readonly string[];
}

function records(count: number): string {
  return `${number.format(count)} record${count === 1 ? '' : 's'}`;
}

/**
 * Exit 1 when records were lost, since what the run meant to send is not on the stream; else 130
 * when it was stopped at once (what a shell reports for Ctrl-C); else 0.
 */
export function outcomeOf(
  sender: Pick<SenderStats, 'lostRecords' | 'lostReason' | 'abandonedRecords'>,
  stoppedAtOnce: boolean,
): RunOutcome {
  const messages: string[] = [];
  if (sender.lostRecords > 0) messages.push(`error: ${records(sender.lostRecords)} lost: ${sender.lostReason}`);
  if (stoppedAtOnce) {
    messages.push(
      `stopped at once: ${records(sender.abandonedRecords)} abandoned (not accepted by the stream, so not recorded or counted)`,
    );
  }
  return { exitCode: sender.lostRecords > 0 ? 1 : stoppedAtOnce ? 130 : 0, messages };
}
