/**
 * A Kinesis record as Glue's Kinesis source hands it to the job (glue/job/clickprice/source.py): its
 * JSON payload read into the schema's typed columns the way Spark 3.3's JSON reader reads it. The
 * DuckDB engine reads records through this, so it counts exactly what the Glue job counts, and what
 * the local Spark engine, which asks Spark itself, counts.
 *
 * Spark 3.3, in PERMISSIVE mode, per record (measured: the Spark suite compares this reading with
 * Spark's on every record of the recorded runs):
 * - text that is not a JSON object gives a row of nulls;
 * - a text column takes a string as is, any other value as its JSON text (`true`, `3`, `{"id":"s"}`);
 * - an integer column takes a JSON integer; any other value (a string, a fraction, `true`) reads as
 *   null, and the rest of the row is kept: `"priceSeen": "19.99"` is a click without a price seen;
 * - an absent field, or JSON `null`, is null; fields outside the schema are ignored.
 *
 * One difference is known and left: `JSON.parse` reads `2.0` as the integer 2, where Spark reads null;
 * no producer of this project writes one.
 */
import { type ClickEvent, clickEventSchema } from '../../functions/domain/click-event.js';

/** The columns the job asks Glue for, in order, with their Spark DDL types (held to source.py by the parity vectors). */
export const GLUE_SOURCE_COLUMNS = [
  ['eventId', 'STRING'],
  ['sessionId', 'STRING'],
  ['userId', 'STRING'],
  ['eventType', 'STRING'],
  ['productId', 'STRING'],
  ['category', 'STRING'],
  ['priceSeen', 'BIGINT'],
  ['quantity', 'BIGINT'],
  ['searchQuery', 'STRING'],
  ['trafficSource', 'STRING'],
  ['deviceType', 'STRING'],
  ['userAgent', 'STRING'],
  ['eventTime', 'STRING'],
] as const;

export type GlueSourceRow = Readonly<Record<(typeof GLUE_SOURCE_COLUMNS)[number][0], string | number | null>>;

const decoder = new TextDecoder('utf-8');

function voidRow(): GlueSourceRow {
  return Object.fromEntries(GLUE_SOURCE_COLUMNS.map(([name]) => [name, null])) as GlueSourceRow;
}

/** The record's row, as the Glue job's frame holds it. */
export function readAsGlueSource(data: Uint8Array | string): GlueSourceRow {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : decoder.decode(data));
  } catch {
    return voidRow();
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return voidRow();
  const fields = json as Record<string, unknown>;
  const row: Record<string, string | number | null> = {};
  for (const [name, type] of GLUE_SOURCE_COLUMNS) {
    const value = fields[name];
    if (value === undefined || value === null) row[name] = null;
    else if (type === 'BIGINT') row[name] = typeof value === 'number' && Number.isInteger(value) ? value : null;
    else row[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return row as GlueSourceRow;
}

/**
 * The click the rich path counts from a row, or null when the click rules reject it: the rules of
 * click-event.ts on the fields the row has (null and absent read alike), as source.py's `event_of`
 * and validation.py do on Glue.
 */
export function clickOfGlueRow(row: GlueSourceRow): ClickEvent | null {
  const present = Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null));
  const parsed = clickEventSchema.safeParse(present);
  return parsed.success ? parsed.data : null;
}
