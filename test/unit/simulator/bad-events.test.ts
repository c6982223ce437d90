import { describe, expect, it } from 'vitest';
import { parseClickEvent } from '../../../functions/domain/click-event.js';
import { LIMITS } from '../../../functions/domain/limits.js';
import { BAD_EVENT_KINDS } from '../../../simulator/bad-events.js';
import { modelOf, scenarioOf, takeUntil } from './fixtures.js';

describe('scenario: bad-events', () => {
  const run = takeUntil(modelOf({ seed: 13, eventsPerSecond: 200, scenario: scenarioOf('bad-events', 13) }), 60_000);
  const byKind = (kind: string) => run.filter((record) => record.kind === kind);

  it('sends every labelled kind, about 10 % of the valid events in all (8–12 %)', () => {
    for (const kind of BAD_EVENT_KINDS) {
      expect(byKind(kind === 'duplicate' ? 'duplicate' : `bad:${kind}`).length).toBeGreaterThan(100);
    }
    const extra = run.filter((record) => record.kind !== 'valid').length;
    expect(extra / byKind('valid').length).toBeGreaterThan(0.08);
    expect(extra / byKind('valid').length).toBeLessThan(0.12);
  });

  it('makes every bad:* record fail validation, for the reason its label names', () => {
    const reasons = {
      'bad:malformed-json': /not JSON/,
      'bad:missing-field': /expected|required|Invalid/,
      'bad:wrong-type': /expected|Invalid/,
      'bad:oversized': new RegExp(`the limit is ${LIMITS.maxEventBytes}`),
    } as const;
    for (const [kind, reason] of Object.entries(reasons)) {
      for (const record of byKind(kind)) {
        const parsed = parseClickEvent(record.data);
        expect(parsed.ok, `${kind}: ${record.data.slice(0, 200)}`).toBe(false);
        if (!parsed.ok) expect(parsed.reason).toMatch(reason);
        expect(record.event).toBeNull();
      }
    }
  });

  it('keeps oversized records under the Kinesis record limit, and every bad record on its session’s key', () => {
    for (const record of byKind('bad:oversized')) {
      expect(Buffer.byteLength(record.data)).toBeGreaterThan(LIMITS.maxEventBytes);
      expect(Buffer.byteLength(record.data)).toBeLessThan(1024 * 1024);
    }
    const sessions = new Set(byKind('valid').map((record) => record.partitionKey));
    for (const record of run) expect(sessions.has(record.partitionKey)).toBe(true);
  });

  it('makes duplicates byte-identical re-sends of an earlier valid event: valid, same eventId', () => {
    const sent = new Map<string, string>();
    for (const record of run) {
      if (record.kind === 'valid') sent.set(record.event?.eventId as string, record.data);
      if (record.kind !== 'duplicate') continue;
      expect(parseClickEvent(record.data).ok).toBe(true);
      expect(sent.get(record.event?.eventId as string)).toBe(record.data);
    }
  });

  it('reuses eventIds only in duplicates', () => {
    const ids = run
      .filter((record) => record.kind !== 'duplicate')
      .map((record) => {
        try {
          return (JSON.parse(record.data) as { eventId?: unknown }).eventId;
        } catch {
          return undefined;
        }
      })
      .filter((id) => typeof id === 'string');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('leaves the valid traffic exactly as the steady scenario sends it', () => {
    const steady = takeUntil(modelOf({ seed: 13, eventsPerSecond: 200 }), 60_000);
    expect(byKind('valid').map((record) => record.data)).toEqual(steady.map((record) => record.data));
  });
});
