/**
 * The fast path's way to read a click, fenced off here with what only it needs (byte-reader.ts and
 * its string table, interned-ascii.ts). Two ways to read a click, not more: `readClick`, straight
 * from the bytes of an event as producers write it; else the reference, parseClickEvent
 * (click-event.ts: JSON.parse and zod), which also gives the reason a record is refused. The
 * reference defines the rules; the property tests of test/unit/domain/click-reader/ hold this reader
 * to it.
 *
 * Why it exists, measured on the fast-path bench (bench/fast-path.bench.ts, targets ≥ 200,000 events/s
 * and ≤ 2× a bare base64 + JSON.parse loop): decoding each record to text, JSON.parse and validating
 * took over half of the handler's time; one pass over the bytes does it in about half that. Each
 * piece was measured again when it was fenced here (two bench runs each): with the reader, 421,000–
 * 445,000 events/s at 1.14–1.15× the bare loop; without interning the strings it keeps (plain
 * latin1 strings), 396,000–401,000 at 1.21–1.29×. A hand-compiled validator of parsed JSON between
 * this reader and zod did not appear in the bench at all (every event there is in producer form) and
 * was removed: a batch of the same events indented now reads at ~139,000 events/s (was ~255,000).
 */
import { CLICK_EVENT_RULES } from '../click-event.js';
import { type ClickFacts, type ClickReader, compileClickReader, newClickFacts } from './byte-reader.js';

export { type ClickFacts, newClickFacts };

/**
 * Reads the click event in `bytes[0, length)` into `into` and says true, or says false when it is
 * not in the one form read here: then ask parseClickEvent.
 */
export const readClick: ClickReader = compileClickReader(CLICK_EVENT_RULES);
