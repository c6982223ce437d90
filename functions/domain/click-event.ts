import * as z from 'zod/mini';
import { categorySlug, cents, identifier, quantity } from './fields.js';
import { LIMITS } from './limits.js';
import { type Validated, validate } from './validation.js';

export const EVENT_TYPES = [
  'page_view',
  'product_view',
  'add_to_cart',
  'remove_from_cart',
  'checkout_start',
  'purchase',
  'search',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const TRAFFIC_SOURCES = ['organic', 'paid_search', 'email', 'social', 'direct', 'referral'] as const;
export const DEVICE_TYPES = ['mobile', 'desktop', 'tablet'] as const;

/** Events about one product: they must name it, and they are what demand counters count. */
export const PRODUCT_EVENT_TYPES: ReadonlySet<EventType> = new Set([
  'product_view',
  'add_to_cart',
  'remove_from_cart',
  'checkout_start',
  'purchase',
]);

/** Events that move units: they must carry a quantity. */
export const QUANTITY_EVENT_TYPES: ReadonlySet<EventType> = new Set(['add_to_cart', 'remove_from_cart', 'purchase']);

/**
 * `eventTime` in the canonical millisecond form (V8 truncates digits past milliseconds). A string that
 * is not a date at all is returned unchanged: zod runs `overwrite` even after the format check
 * failed, and the value is then discarded with zod's "Invalid ISO datetime" issue — it must not throw.
 */
export function canonicalEventTime(value: string): string {
  if (value.length === 24) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/**
 * The fields of one shopper interaction. Optional facts are `null` when absent (producers may also
 * omit them). Unknown fields are stripped rather than rejected, so producers can add fields ahead of
 * consumers. `eventTime` is normalised with `overwrite`, not `transform`: a transform would turn the
 * object into a pipe and lose zod's compiled fast path. zod runs `overwrite` even when the format
 * check failed, so canonicalEventTime must not throw on a string that is not a date.
 */
const clickEventShape = z.object({
  eventId: identifier,
  sessionId: identifier,
  userId: z._default(z.nullable(identifier), null),
  eventType: z.enum(EVENT_TYPES),
  productId: z._default(z.nullable(identifier), null),
  category: z._default(z.nullable(categorySlug), null),
  /** The price the shopper saw, in cents. */
  priceSeen: z._default(z.nullable(cents), null),
  quantity: z._default(z.nullable(quantity), null),
  searchQuery: z._default(z.nullable(z.string().check(z.minLength(1), z.maxLength(LIMITS.searchQueryLength))), null),
  trafficSource: z.enum(TRAFFIC_SOURCES),
  deviceType: z.enum(DEVICE_TYPES),
  userAgent: z.string().check(z.minLength(1), z.maxLength(LIMITS.userAgentLength)),
  eventTime: z.iso.datetime().check(z.overwrite(canonicalEventTime)),
});

/** The rules between fields, as plain code: one definition, used by the schema and by the parser. */
function crossFieldIssues(event: z.output<typeof clickEventShape>): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (PRODUCT_EVENT_TYPES.has(event.eventType) && event.productId === null) {
    issues.push({ path: 'productId', message: `required for ${event.eventType}` });
  }
  if (QUANTITY_EVENT_TYPES.has(event.eventType) && event.quantity === null) {
    issues.push({ path: 'quantity', message: `required for ${event.eventType}` });
  }
  if (event.eventType === 'search' && event.searchQuery === null) {
    issues.push({ path: 'searchQuery', message: 'required for search' });
  }
  return issues;
}

/** One shopper interaction, with every rule. */
export const clickEventSchema = clickEventShape.check(
  z.superRefine((event, ctx) => {
    for (const issue of crossFieldIssues(event))
      ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  }),
);

export type ClickEvent = z.output<typeof clickEventSchema>;
export type ClickEventInput = z.input<typeof clickEventSchema>;

/** The enumerations and cross-field sets above, for the fast path's byte reader (click-reader/). */
export interface ClickEventRules {
  readonly eventTypes: readonly string[];
  readonly trafficSources: readonly string[];
  readonly deviceTypes: readonly string[];
  readonly productEventTypes: ReadonlySet<string>;
  readonly quantityEventTypes: ReadonlySet<string>;
}

export const CLICK_EVENT_RULES: ClickEventRules = {
  eventTypes: EVENT_TYPES,
  trafficSources: TRAFFIC_SOURCES,
  deviceTypes: DEVICE_TYPES,
  productEventTypes: PRODUCT_EVENT_TYPES,
  quantityEventTypes: QUANTITY_EVENT_TYPES,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes and validates one raw record: the reference reading of a click, which the fast path's byte
 * reader (click-reader/) agrees with. Size is checked before parsing, so an oversized record costs
 * nothing to reject; bytes that are not UTF-8 or not JSON get their own reasons.
 */
export function parseClickEvent(raw: Uint8Array | string): Validated<ClickEvent> {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > LIMITS.maxEventBytes) {
    return { ok: false, field: null, reason: `record is ${size} bytes; the limit is ${LIMITS.maxEventBytes}` };
  }
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : utf8.decode(raw);
  } catch {
    return { ok: false, field: null, reason: 'record is not valid UTF-8' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, field: null, reason: `record is not JSON: ${(error as Error).message}` };
  }
  // The shape through zod, then the cross-field rules as plain code, each issue with its field.
  const shaped = validate(clickEventShape, json);
  if (!shaped.ok) return shaped;
  const issues = crossFieldIssues(shaped.value);
  const first = issues[0];
  if (!first) return shaped;
  return { ok: false, field: first.path, reason: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ') };
}
