/**
 * A pricing decision's reasoning as data, and the one place it becomes text. The policy's stages
 * return notes (what they read, what they asked, which bound held); `explanationOf` renders them,
 * in order, once the decision is made, so the rules hold no wording and the wording no rules.
 */

import type { DemandEvidence } from './demand-evidence.js';
import { describeEvidence } from './demand-evidence-report.js';
import { LIMITS } from './limits.js';
import type { Guardrail, NoChangeReason, ReasonCode } from './price-change.js';
import type { PriceEnding } from './price-endings.js';

/** What a decision read, for the explanation's first sentence. */
export interface DecisionInputs {
  readonly price: number;
  readonly basePrice: number;
  readonly floor: number;
  readonly ceiling: number;
  readonly unitCost: number | null;
  readonly inventory: number;
  /** Null while no sales rate is known. */
  readonly salesPerHour: number | null;
  readonly coverMinutes: number | null;
  readonly changesToday: number;
}

/** How long the stock lasts and the chance it runs out before the line that matters. */
export interface StockOdds {
  readonly inventory: number;
  readonly coverMinutes: number;
  readonly sellOutChance: number;
  /** The next delivery, when one is known and due; otherwise the fixed cover line applies. */
  readonly minutesToRestock: number | null;
  readonly coverLineMinutes: number;
}

/** What a rule saw and wanted, before the guardrails. */
export type Reading =
  | { readonly kind: 'unmeasured' }
  | { readonly kind: 'evidence'; readonly evidence: DemandEvidence }
  | { readonly kind: 'toward_base'; readonly evidence: DemandEvidence; readonly basePrice: number }
  | {
      readonly kind: 'ask';
      readonly evidence: DemandEvidence;
      readonly pct: number;
      readonly responsePct: number;
      /** Set when the ask fell inside this dead band. */
      readonly deadBandPct: number | null;
    }
  | { readonly kind: 'low_stock'; readonly odds: StockOdds; readonly towardPrice: number | null }
  | {
      readonly kind: 'overstock';
      readonly inventory: number;
      readonly coverMinutes: number;
      readonly overstockCoverDays: number;
      readonly towardPrice: number | null;
    };

/** One step of the reasoning. */
export type Note =
  | { readonly kind: 'kill_switch' }
  | { readonly kind: 'frozen'; readonly until: string | null }
  | { readonly kind: 'cooldown'; readonly lastChangeAt: string; readonly cooldownSeconds: number }
  | { readonly kind: 'daily_cap'; readonly changesToday: number; readonly cap: number }
  | { readonly kind: 'outside_bounds'; readonly floor: number; readonly ceiling: number; readonly bound: Guardrail }
  /** `rule` is the reason code a move would carry, why a rule holds, or `inventory` for a stock hold. */
  | { readonly kind: 'rule'; readonly rule: string; readonly reading: Reading }
  | { readonly kind: 'click_cap'; readonly cap: number }
  | {
      readonly kind: 'window';
      readonly lo: number;
      readonly hi: number;
      readonly floor: number;
      readonly marginFloor: number | null;
      readonly ceiling: number;
      readonly step: number;
    }
  | { readonly kind: 'no_room'; readonly guardrail: Guardrail }
  | { readonly kind: 'ending'; readonly ending: PriceEnding | null; readonly from: number; readonly to: number }
  | {
      readonly kind: 'no_ending_fits';
      readonly ending: PriceEnding | null;
      readonly min: number;
      readonly max: number;
      readonly kept: number;
    }
  | { readonly kind: 'guardrail'; readonly guardrail: Guardrail | null }
  /** A stock outcome won; what demand alone asked, so ops see both. */
  | { readonly kind: 'demand_alone'; readonly notes: readonly Note[] }
  | { readonly kind: 'no_change'; readonly reason: NoChangeReason }
  | {
      readonly kind: 'price';
      readonly shadow: boolean;
      readonly from: number;
      readonly to: number;
      readonly reasonCode: ReasonCode;
    };

/** The explanation a price-history row carries: the inputs, then each note, within the length limit. */
export function explanationOf(inputs: DecisionInputs, notes: readonly Note[]): string {
  const text = `${describeInputs(inputs)} ${describeNotes(notes)}`;
  return text.length <= LIMITS.explanationLength ? text : `${text.slice(0, LIMITS.explanationLength - 1)}…`;
}

function describeNotes(notes: readonly Note[]): string {
  return notes.map(describeNote).join(' ');
}

function describeNote(note: Note): string {
  switch (note.kind) {
    case 'kill_switch':
      return 'The kill switch is on.';
    case 'frozen':
      return `Frozen ${note.until === null ? 'until unfrozen' : `until ${note.until}`}.`;
    case 'cooldown':
      return `Last changed at ${note.lastChangeAt}; the cooldown is ${note.cooldownSeconds} s.`;
    case 'daily_cap':
      return `${note.changesToday} changes today; the cap is ${note.cap}.`;
    case 'outside_bounds':
      return `The price lies outside [${note.floor}, ${note.ceiling}]: back to the ${note.bound}, whatever the step.`;
    case 'rule':
      return `Rule ${note.rule}: ${describeReading(note.reading)}`;
    case 'click_cap':
      return `Clicks-only evidence: capped at ${note.cap}, one step above base.`;
    case 'window':
      return (
        `Window [${note.lo}, ${note.hi}] (floor ${note.floor}` +
        `${note.marginFloor === null ? '' : `, margin floor ${note.marginFloor}`}, ceiling ${note.ceiling}, step ${note.step}).`
      );
    case 'no_room':
      return `Guardrail ${note.guardrail} leaves no room.`;
    case 'ending':
      return `Ending ${describeEnding(note.ending)}: ${note.from} → ${note.to}.`;
    case 'no_ending_fits':
      return `No price ending ${describeEnding(note.ending)} fits in [${note.min}, ${note.max}]; kept ${note.kept}.`;
    case 'guardrail':
      return `Guardrail: ${note.guardrail ?? 'none'}.`;
    case 'demand_alone':
      return `Demand alone: ${describeNotes(note.notes)}`;
    case 'no_change':
      return `No change (${note.reason}).`;
    case 'price': {
      const change = `${note.from} → ${note.to} (${note.reasonCode}).`;
      return note.shadow ? `Shadow mode: would set ${change}` : `Price ${change}`;
    }
  }
}

function describeReading(reading: Reading): string {
  switch (reading.kind) {
    case 'unmeasured':
      return 'demand not measured.';
    case 'evidence':
      return describeEvidence(reading.evidence);
    case 'toward_base':
      return `${describeEvidence(reading.evidence)} Back toward base ${reading.basePrice}.`;
    case 'ask': {
      const { pct } = reading;
      const asks = `${describeEvidence(reading.evidence)} Asks ${pct >= 0 ? '+' : ''}${pct.toFixed(2)}% (${reading.responsePct}% per unit of ratio)`;
      return reading.deadBandPct === null ? `${asks}.` : `${asks}, inside the ${reading.deadBandPct}% dead band.`;
    }
    case 'low_stock': {
      const { odds } = reading;
      const before =
        odds.minutesToRestock === null
          ? `within ${odds.coverLineMinutes} min`
          : `before the next delivery in ${Math.round(odds.minutesToRestock)} min`;
      const chance = `${odds.inventory} units, ${describeCover(odds.coverMinutes)} of cover: ${Math.round(odds.sellOutChance * 100)}% likely to sell out ${before}`;
      return reading.towardPrice === null
        ? `Stock likely to run short (${chance}): the price is not lowered.`
        : `Low stock (${chance}): up toward ${reading.towardPrice}.`;
    }
    case 'overstock': {
      const why = `Overstock (${reading.inventory} units, ${describeCover(reading.coverMinutes)} of cover > ${reading.overstockCoverDays} days)`;
      return reading.towardPrice === null
        ? `${why}: the price is not raised.`
        : `${why}: down toward ${reading.towardPrice}.`;
    }
  }
}

function describeCover(coverMinutes: number): string {
  return Number.isFinite(coverMinutes) ? `${Math.round(coverMinutes)} min` : 'no sales';
}

function describeEnding(ending: PriceEnding | null): string {
  if (ending === null) return 'none';
  return `${ending.remainder} mod ${ending.modulus}`;
}

function describeInputs(inputs: DecisionInputs): string {
  const { coverMinutes, salesPerHour } = inputs;
  const stock =
    coverMinutes === null
      ? `inventory ${inputs.inventory}`
      : `inventory ${inputs.inventory} (${salesPerHour?.toFixed(1)} sold per hour, ${Number.isFinite(coverMinutes) ? `${Math.round(coverMinutes)} min of cover` : 'no sales'})`;
  return (
    `Inputs: price ${inputs.price}, base ${inputs.basePrice}, bounds [${inputs.floor}, ${inputs.ceiling}]` +
    `${inputs.unitCost === null ? '' : `, unit cost ${inputs.unitCost}`}, ${stock}, changes today ${inputs.changesToday}.`
  );
}
