import type { EventType } from '../../../functions/domain/click-event.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import type { SimulatedRecord } from '../../../simulator/records.js';
import { buildScenario, type ScenarioName, type ScenarioParameters } from '../../../simulator/scenarios.js';
import { type CatalogueProduct, TrafficModel, type TrafficModelOptions } from '../../../simulator/traffic-model.js';

export const START = Date.parse('2026-11-27T09:00:00.000Z');

/** The seed catalogue (240 products, 10 categories), as the simulator reads it from the products table. */
export const CATALOGUE: readonly CatalogueProduct[] = generateCatalogue('2026-11-27T08:00:00.000Z').map(
  ({ productId, category, name, currency, basePrice }) => ({ productId, category, name, currency, basePrice }),
);

export function scenarioOf(name: ScenarioName, seed: number, parameters: ScenarioParameters = {}) {
  return buildScenario(
    name,
    {
      categories: [...new Set(CATALOGUE.map((product) => product.category))],
      productIds: CATALOGUE.map((product) => product.productId),
    },
    seed,
    parameters,
  );
}

export function modelOf(options: Partial<TrafficModelOptions> = {}): TrafficModel {
  return new TrafficModel({ seed: 7, startTime: START, eventsPerSecond: 100, catalogue: CATALOGUE, ...options });
}

/** The first `count` records of a model. */
export function take(model: TrafficModel, count: number): SimulatedRecord[] {
  const records: SimulatedRecord[] = [];
  while (records.length < count) {
    const record = model.next();
    if (record === null) break;
    records.push(record);
  }
  return records;
}

/** Every record of a model up to `untilMs` after the start. */
export function takeUntil(model: TrafficModel, offsetMs: number): SimulatedRecord[] {
  const records: SimulatedRecord[] = [];
  for (let record = model.next(START + offsetMs); record !== null; record = model.next(START + offsetMs)) {
    records.push(record);
  }
  return records;
}

export function countByType(records: readonly SimulatedRecord[]): Record<EventType, number> {
  const counts = {
    page_view: 0,
    search: 0,
    product_view: 0,
    add_to_cart: 0,
    remove_from_cart: 0,
    checkout_start: 0,
    purchase: 0,
  } satisfies Record<EventType, number>;
  for (const record of records) if (record.event) counts[record.event.eventType]++;
  return counts;
}

/** Sessions that arrived during the run: their first event (number 0) is the landing page view. */
export function arrivals(records: readonly SimulatedRecord[]): SimulatedRecord[] {
  return records.filter((record) => record.event?.eventType === 'page_view' && record.event.eventId.endsWith('-0'));
}
