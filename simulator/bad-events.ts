import { PRODUCT_EVENT_TYPES, QUANTITY_EVENT_TYPES } from '../functions/domain/click-event.js';
import { LIMITS } from '../functions/domain/limits.js';
import type { Random } from './random.js';
import { BAD_EVENT_KINDS, type BadEventKind, badRecordKind, type SimulatedRecord } from './records.js';

export { BAD_EVENT_KINDS, type BadEventKind };

type Mutable = Record<string, unknown>;

/** Fields every event needs, and those its type adds: each is a way to be "missing a field". */
function requiredFields(source: Mutable): string[] {
  const fields = ['eventId', 'sessionId', 'eventType', 'trafficSource', 'deviceType', 'userAgent', 'eventTime'];
  const eventType = source.eventType as never;
  if (PRODUCT_EVENT_TYPES.has(eventType)) fields.push('productId');
  if (QUANTITY_EVENT_TYPES.has(eventType)) fields.push('quantity');
  if (source.eventType === 'search') fields.push('searchQuery');
  return fields;
}

/** Type mistakes producers really make: numbers as strings, timestamps as epoch numbers. */
function wrongTypeEdits(source: Mutable): Array<(event: Mutable) => void> {
  const edits: Array<(event: Mutable) => void> = [
    (event) => {
      event.eventTime = Date.parse(String(source.eventTime));
    },
    (event) => {
      event.eventType = 3;
    },
    (event) => {
      event.sessionId = { id: source.sessionId };
    },
    (event) => {
      event.deviceType = true;
    },
  ];
  if (typeof source.priceSeen === 'number') {
    edits.push((event) => {
      event.priceSeen = ((source.priceSeen as number) / 100).toFixed(2);
    });
  }
  if (typeof source.quantity === 'number') {
    edits.push((event) => {
      event.quantity = String(source.quantity);
    });
  }
  return edits;
}

/**
 * Derives one labelled bad record from a valid one (same partition key). Corrupted copies get an
 * eventId of their own, so the only reused eventIds in a run are the `duplicate` records.
 */
export function makeBadRecord(kind: BadEventKind, source: SimulatedRecord, random: Random): SimulatedRecord {
  if (source.event === null) throw new TypeError('bad records are derived from a valid event');
  const base = { atMs: source.atMs, kind: badRecordKind(kind), partitionKey: source.partitionKey, order: null };
  if (kind === 'duplicate') return { ...base, data: source.data, event: source.event };

  const copy: Mutable = { ...source.event, eventId: `${source.event.eventId}-x` };
  switch (kind) {
    case 'malformed-json': {
      // A proper prefix of a JSON object is never valid JSON; so is a trailing comma.
      const data = random.chance(0.5)
        ? source.data.slice(0, random.int(1, source.data.length - 1))
        : `${JSON.stringify(copy).slice(0, -1)},}`;
      return { ...base, data, event: null };
    }
    case 'missing-field': {
      delete copy[random.pick(requiredFields(copy))];
      return { ...base, data: JSON.stringify(copy), event: null };
    }
    case 'wrong-type': {
      random.pick(wrongTypeEdits(copy))(copy);
      return { ...base, data: JSON.stringify(copy), event: null };
    }
    case 'oversized': {
      // Valid apart from its size: an unknown field is stripped, so only the size check rejects it.
      const target = LIMITS.maxEventBytes + random.int(1, 8 * 1024);
      copy.debug = '';
      copy.debug = 'x'.repeat(target - Buffer.byteLength(JSON.stringify(copy)));
      return { ...base, data: JSON.stringify(copy), event: null };
    }
  }
}
