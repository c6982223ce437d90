import type { ClickEventInput, EventType } from '../functions/domain/click-event.js';
import type { Order } from '../functions/domain/order.js';
import type { DeviceType, TrafficSource } from './shopper-profiles.js';

/**
 * A click event as the simulator writes it: the schema's fields in the schema's order, with absent
 * optional facts left out (the schema reads a missing one as null).
 */
export interface SimulatedClickEvent {
  eventId: string;
  sessionId: string;
  userId?: string;
  eventType: EventType;
  productId?: string;
  category?: string;
  priceSeen?: number;
  quantity?: number;
  searchQuery?: string;
  trafficSource: TrafficSource;
  deviceType: DeviceType;
  userAgent: string;
  eventTime: string;
}

// Compile-time proof that what the simulator writes is an input the click-event schema accepts.
export type AssertAssignable<T extends U, U> = T;
export type SimulatedEventIsSchemaInput = AssertAssignable<SimulatedClickEvent, ClickEventInput>;

/** The bad kinds a record can be labelled with; `duplicate` is a valid event sent twice. */
export const BAD_EVENT_KINDS = ['malformed-json', 'missing-field', 'wrong-type', 'oversized', 'duplicate'] as const;
export type BadEventKind = (typeof BAD_EVENT_KINDS)[number];

/**
 * What a record is, for whoever counts them later:
 * - `valid`: a shopper's event, unique, that consumers must count;
 * - `bot`: a valid event from a bot session, that consumers should drop;
 * - `duplicate`: a byte-identical re-send of an earlier valid event (same eventId), to be deduplicated;
 * - `bad:<kind>`: a record that must fail validation and be quarantined.
 */
export type RecordKind = 'valid' | 'bot' | 'duplicate' | `bad:${Exclude<BadEventKind, 'duplicate'>}`;

/** The label a bad-event kind is recorded under. */
export function badRecordKind(kind: BadEventKind): RecordKind {
  return kind === 'duplicate' ? 'duplicate' : `bad:${kind}`;
}

/** One record, exactly as it is put on the stream, with what it is. */
export interface SimulatedRecord {
  /** Simulated time it was produced at (epoch ms). */
  readonly atMs: number;
  readonly kind: RecordKind;
  /** The Kinesis partition key: the session id, so a session's events stay on one shard, in order. */
  readonly partitionKey: string;
  /** The exact record data (UTF-8 text). */
  readonly data: string;
  /** The event `data` encodes, for valid, bot and duplicate records; null for bad ones. */
  readonly event: SimulatedClickEvent | null;
  /** The order a valid purchase placed, which the order system writes to the orders table. */
  readonly order: Order | null;
}
