/**
 * The local stack's dead-letter queue: the JSON-lines file its event-source mapping appends an
 * on-failure record to (local/event-source-mapping/on-failure-destination.ts). A redrive first claims
 * the file by renaming it, so a batch discarded meanwhile goes to a fresh file and is neither lost
 * nor redriven half-read; at the end, the letters not removed are appended back to the live file.
 */
import { existsSync } from 'node:fs';
import { appendFile, readFile, rename, rm } from 'node:fs/promises';
import type { DeadLetter, DeadLetterQueue } from './redrive.js';

export class JsonLinesDeadLetterQueue implements DeadLetterQueue {
  private claimed: { path: string; letters: DeadLetter[] } | undefined;
  private readonly removed = new Set<string>();

  constructor(readonly path: string) {}

  async receive(max: number): Promise<DeadLetter[]> {
    if (this.claimed === undefined) {
      if (!existsSync(this.path)) return [];
      const claimedPath = `${this.path}.redriving-${process.pid}-${Date.now()}`;
      await rename(this.path, claimedPath);
      const lines = (await readFile(claimedPath, 'utf8')).split('\n').filter((line) => line.trim() !== '');
      this.claimed = { path: claimedPath, letters: lines.map((body, index) => ({ id: `line ${index + 1}`, body })) };
    }
    return this.claimed.letters.filter((letter) => !this.removed.has(letter.id)).slice(0, max);
  }

  async remove(letter: DeadLetter): Promise<void> {
    this.removed.add(letter.id);
  }

  /** Puts every letter not removed back into the live file and drops the claimed copy. */
  async release(): Promise<void> {
    if (this.claimed === undefined) return;
    const kept = this.claimed.letters.filter((letter) => !this.removed.has(letter.id));
    if (kept.length > 0) await appendFile(this.path, kept.map((letter) => `${letter.body}\n`).join(''), 'utf8');
    await rm(this.claimed.path, { force: true });
    this.claimed = undefined;
  }
}
