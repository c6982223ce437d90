import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClickEvent } from '../../../../functions/domain/click-event.js';
import { type ClickFacts, newClickFacts, readClick } from '../../../../functions/domain/click-reader/read-click.js';
import { anyFields, nearValidEvent, validEvent } from '../click-event-arbitraries.js';

/*
 * readClick reads click events straight from their bytes, and may leave any record to
 * parseClickEvent. Two promises, for any bytes:
 * - what it reads, parseClickEvent accepts, with the same facts (it never reads a record that would
 *   be quarantined, nor reads a fact differently);
 * - it reads every valid event in the form producers write (JSON.stringify, printable ASCII with no
 *   escapes, canonical eventTime), whatever the order of its keys and whichever optional facts are
 *   absent — or the fast path would quietly be the slow one.
 */

/** The facts of the event parseClickEvent finds in `bytes`, or undefined when it quarantines them. */
function parsedFacts(bytes: Buffer): ClickFacts | undefined {
  const parsed = parseClickEvent(bytes);
  if (!parsed.ok) return undefined;
  const event = parsed.value;
  return {
    eventId: event.eventId,
    sessionId: event.sessionId,
    eventType: event.eventType,
    productId: event.productId,
    category: event.category,
    quantity: event.quantity,
    eventTimeMs: Date.parse(event.eventTime),
  };
}

/**
 * What readClick reads from `bytes`, put in a larger buffer of junk as the fast path's scratch
 * is — or, without junk, in a buffer of exactly their length, as a record's own bytes are.
 */
function read(bytes: Buffer, junk?: number): ClickFacts | undefined {
  const scratch = Buffer.alloc(bytes.length + (junk === undefined ? 0 : 64), junk ?? 0);
  bytes.copy(scratch);
  const into = newClickFacts();
  return readClick(scratch, bytes.length, into) ? { ...into } : undefined;
}

/** Bytes that could extend a record if it read past its end: structure, digits, `null`'s letters. */
const JUNK = [...'",}{:0 nul\\'].map((char) => char.charCodeAt(0));

/** Checks the first promise for `bytes`; whether they were read. */
function expectReadOnlyWhatIsValid(bytes: Buffer): boolean {
  const facts = read(bytes);
  if (facts !== undefined) expect(facts).toStrictEqual(parsedFacts(bytes));
  // The bytes after the record are never read: whatever follows, the same answer.
  for (const junk of JUNK) expect(read(bytes, junk)).toStrictEqual(facts);
  return facts !== undefined;
}

/** Printable ASCII a producer's JSON.stringify writes as it is: no `"` or `\` (those it escapes). */
const plainText = (minLength: number, maxLength: number) =>
  fc
    .array(
      fc.integer({ min: 0x20, max: 0x7e }).filter((code) => code !== 0x22 && code !== 0x5c),
      { minLength, maxLength },
    )
    .map((codes) => String.fromCharCode(...codes));

/**
 * Valid events as producers write them: printable text, a canonical eventTime, keys in any order,
 * and any null fact either null or left out.
 */
const producerEvent = fc
  .tuple(validEvent, plainText(1, 80), plainText(1, 30), fc.boolean(), fc.infiniteStream(fc.boolean()))
  .filter(([event]) => (event.eventTime as string).length === 24)
  .chain(([event, userAgent, searchQuery, dropNulls, drops]) => {
    const written: Record<string, unknown> = { ...event, userAgent, searchQuery };
    const iterator = drops[Symbol.iterator]();
    for (const [key, value] of Object.entries(written)) {
      if (value === null && dropNulls && iterator.next().value) delete written[key];
    }
    const keys = Object.keys(written);
    return fc
      .shuffledSubarray(keys, { minLength: keys.length, maxLength: keys.length })
      .map((order) => Object.fromEntries(order.map((key) => [key, written[key]])));
  });

const bytesOf = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'undefined');

/** Bytes that change a record's meaning: structure, escapes, digits, spaces, non-ASCII, control. */
const EDIT_BYTES = [...'"\\,:{}[] \t\n0159-.eE+nultrfa', '\u0000', '\u007f'].map((char) => char.charCodeAt(0));
const editBytes = fc.oneof(fc.constantFrom(...EDIT_BYTES), fc.constantFrom(0x80, 0xc3, 0xe9, 0xef, 0xff));

/** A producer's event with one to three bytes inserted, deleted or replaced. */
const editedRecord = fc
  .tuple(
    producerEvent,
    fc.array(fc.tuple(fc.constantFrom('insert', 'delete', 'replace'), fc.nat(), editBytes), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([event, edits]) => {
    const bytes = [...bytesOf(event)];
    for (const [how, position, byte] of edits) {
      const at = position % (bytes.length + 1);
      if (how === 'insert') bytes.splice(at, 0, byte);
      else if (how === 'delete') bytes.splice(at, 1);
      else bytes.splice(at, 1, byte);
    }
    return Buffer.from(bytes);
  });

describe('readClick (click events read straight from their bytes)', () => {
  it('reads every valid event as producers write it, with the facts parseClickEvent finds', () => {
    fc.assert(
      fc.property(producerEvent, (event) => {
        const bytes = bytesOf(event);
        expect(read(bytes)).toStrictEqual(parsedFacts(bytes));
        expect(read(bytes)).toBeDefined();
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads only what parseClickEvent accepts, when fields are mutated, missing, null or extra', () => {
    let reads = 0;
    fc.assert(
      fc.property(fc.oneof(nearValidEvent, anyFields, validEvent), (event) => {
        if (expectReadOnlyWhatIsValid(bytesOf(event))) reads++;
      }),
      { numRuns: 20_000 },
    );
    // Not vacuous: many of them are read.
    expect(reads).toBeGreaterThan(1_000);
  });

  it('reads only what parseClickEvent accepts, when bytes of a valid record are edited', () => {
    let reads = 0;
    let declined = 0;
    fc.assert(
      fc.property(editedRecord, (bytes) => {
        if (expectReadOnlyWhatIsValid(bytes)) reads++;
        else declined++;
      }),
      { numRuns: 20_000 },
    );
    // Not vacuous: edits inside a value often leave a valid event, and those are read.
    expect(reads).toBeGreaterThan(200);
    expect(declined).toBeGreaterThan(1_000);
  });

  it('leaves other forms of a valid event to parseClickEvent', () => {
    const event = fc.sample(producerEvent, { numRuns: 1, seed: 7 })[0] as Record<string, unknown>;
    const valid = bytesOf(event);
    expect(read(valid)).toBeDefined();
    const forms = {
      'indented JSON': Buffer.from(JSON.stringify(event, null, 2)),
      'a byte-order mark': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), valid]),
      'an escaped character': Buffer.from(JSON.stringify({ ...event, userAgent: 'say "hi"' })),
      'a non-ASCII character': Buffer.from(JSON.stringify({ ...event, userAgent: 'Mozilla/5.0 (é)' })),
      'an unknown key': Buffer.from(JSON.stringify({ ...event, extra: 1 })),
      'a repeated key': Buffer.from(`${JSON.stringify(event).slice(0, -1)},"eventId":"again"}`),
      'a timestamp without milliseconds': Buffer.from(
        JSON.stringify({ ...event, eventTime: (event.eventTime as string).replace(/\.\d{3}Z$/, 'Z') }),
      ),
      'a quantity written 1.0': Buffer.from(
        JSON.stringify({ ...event, quantity: 1 }).replace('"quantity":1', '"quantity":1.0'),
      ),
    };
    for (const [form, bytes] of Object.entries(forms)) {
      expect({ form, read: read(bytes) }).toEqual({ form, read: undefined });
      // parseClickEvent still accepts the valid ones: they are counted, only not by this reader.
    }
    expect(parsedFacts(forms['indented JSON'])).toStrictEqual(read(valid));
    expect(parsedFacts(forms['a quantity written 1.0'])).toBeDefined();
  });

  it('reads numbers only in the form JSON.stringify writes them, and only what parseClickEvent accepts', () => {
    const event = fc.sample(producerEvent, { numRuns: 1, seed: 11 })[0] as Record<string, unknown>;
    const numbers = ['0', '-0', '00', '01', '1', '-1', '1.0', '1.', '.1', '1e2', '1E2', '1e+2', '+1', '0x1', 'NaN'];
    const large = ['999', '1000', '10000000000', '10000000001', '999999999999999', '9999999999999999'];
    let reads = 0;
    for (const field of ['priceSeen', 'quantity']) {
      for (const number of [...numbers, ...large]) {
        const text = JSON.stringify({ ...event, [field]: 777 }).replace(`"${field}":777`, `"${field}":${number}`);
        if (expectReadOnlyWhatIsValid(Buffer.from(text))) reads++;
      }
    }
    // priceSeen 0, 1, 999, 1000 and 10000000000 (maxCents); quantity 1 and 999 (maxQuantity).
    expect(reads).toBe(7);
  });

  it('leaves a record with a repeated key to parseClickEvent, wherever the repeat is', () => {
    const event = fc.sample(producerEvent, { numRuns: 1, seed: 12 })[0] as Record<string, unknown>;
    const text = JSON.stringify(event);
    for (const [key, value] of Object.entries(event)) {
      const member = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
      for (const repeated of [`{${member},${text.slice(1)}`, `${text.slice(0, -1)},${member}}`]) {
        expect(read(Buffer.from(repeated))).toBeUndefined();
      }
      // A null first and a value after: JSON.parse keeps the last.
      expect(read(Buffer.from(`{${JSON.stringify(key)}:null,${text.slice(1)}`))).toBeUndefined();
    }
  });
});
