import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../../simulator/run-outcome.js';

const clean = { lostRecords: 0, lostReason: null, abandonedRecords: 0 };

describe('how npm run simulate ends', () => {
  it('exits 0 and says nothing when every record was accepted', () => {
    expect(outcomeOf(clean, false)).toEqual({ exitCode: 0, messages: [] });
  });

  it('exits 1 with one line naming how many records were lost and why', () => {
    const lost = { ...clean, lostRecords: 1_250, lostReason: 'not accepted in 10 attempts each (…)' };
    expect(outcomeOf(lost, false)).toEqual({
      exitCode: 1,
      messages: ['error: 1,250 records lost: not accepted in 10 attempts each (…)'],
    });
  });

  it('exits 130 after a stop at once, saying how many records were abandoned (even none)', () => {
    expect(outcomeOf({ ...clean, abandonedRecords: 1 }, true)).toEqual({
      exitCode: 130,
      messages: ['stopped at once: 1 record abandoned (not accepted by the stream, so not recorded or counted)'],
    });
    expect(outcomeOf(clean, true).messages).toEqual([
      'stopped at once: 0 records abandoned (not accepted by the stream, so not recorded or counted)',
    ]);
  });

  it('exits 1 when records were lost before a stop at once: the loss is the failure to report', () => {
    const outcome = outcomeOf({ lostRecords: 3, lostReason: 'x', abandonedRecords: 7 }, true);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.messages).toHaveLength(2);
  });
});
