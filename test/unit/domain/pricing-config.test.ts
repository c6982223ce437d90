import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  categoryParametersSchema,
  DEFAULT_PRICING_CONFIG,
  parametersFor,
  pricingConfigSchema,
} from '../../../functions/domain/pricing-config.js';
import { DEFAULT_CATEGORY_PARAMETERS } from '../../../functions/domain/pricing-defaults.js';
import { parametersArb } from './pricing-fixtures.js';

describe('pricing config', () => {
  it('has valid built-in defaults, switches off', () => {
    expect(categoryParametersSchema.safeParse(DEFAULT_CATEGORY_PARAMETERS).success).toBe(true);
    expect(DEFAULT_PRICING_CONFIG).toEqual({ killSwitch: false, shadowMode: false, defaults: {}, categories: {} });
    expect(parametersFor(DEFAULT_PRICING_CONFIG, 'garden')).toEqual(DEFAULT_CATEGORY_PARAMETERS);
  });

  it('merges a category over the configured defaults over the built-in defaults', () => {
    const config = pricingConfigSchema.parse({
      defaults: { maxStepPct: 8, cooldownSeconds: 60 },
      categories: { electronics: { maxStepPct: 4, priceEnding: null } },
    });
    expect(parametersFor(config, 'electronics')).toMatchObject({
      maxStepPct: 4,
      cooldownSeconds: 60,
      priceEnding: null,
      deadBandPct: DEFAULT_CATEGORY_PARAMETERS.deadBandPct,
    });
    expect(parametersFor(config, 'garden')).toMatchObject({
      maxStepPct: 8,
      priceEnding: { modulus: 100, remainder: 99 },
    });
  });

  it('treats an explicitly undefined override as no override', () => {
    const config = pricingConfigSchema.parse({ categories: { garden: { maxStepPct: undefined } } });
    expect(parametersFor(config, 'garden').maxStepPct).toBe(DEFAULT_CATEGORY_PARAMETERS.maxStepPct);
  });

  it('rejects a misspelled parameter instead of ignoring it', () => {
    const result = pricingConfigSchema.safeParse({ categories: { garden: { maxStepPercent: 5 } } });
    expect(result.success).toBe(false);
  });

  it('rejects weights that would let views or carts outweigh orders, once merged', () => {
    const result = pricingConfigSchema.safeParse({ categories: { garden: { cartWeight: 30 } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['categories', 'garden', 'cartWeight']);
  });

  it('rejects overlapping stock thresholds and a dead band wider than the step', () => {
    expect(pricingConfigSchema.safeParse({ defaults: { lowStockUnits: 2_000 } }).success).toBe(false);
    expect(pricingConfigSchema.safeParse({ defaults: { maxStepPct: 1 } }).success).toBe(false);
    expect(pricingConfigSchema.safeParse({ defaults: { maxStepPct: 1, deadBandPct: 0.5 } }).success).toBe(true);
  });

  it('names a field set wrongly once, where it is set: not again for each category merged over it', () => {
    const result = pricingConfigSchema.safeParse({
      defaults: { maxStepPct: 500, priceEnding: { modulus: 100, remainder: 100 } },
      categories: { garden: { cooldownSeconds: 60 } },
    });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual([
      'defaults.maxStepPct',
      'defaults.priceEnding.remainder',
    ]);
  });

  it('rejects a prior heavier than a baseline can be: it would never fade', () => {
    const prior = { viewsPerPeriod: 10, cartsPerPeriod: 1, purchasesPerPeriod: 0, unitsPerPeriod: 0 };
    const heavy = pricingConfigSchema.safeParse({ defaults: { demandPrior: { ...prior, weightPeriods: 90 } } });
    expect(heavy.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['defaults.demandPrior.weightPeriods']);
    const fits = { defaults: { baselinePeriods: 120, demandPrior: { ...prior, weightPeriods: 90 } } };
    expect(pricingConfigSchema.safeParse(fits).success).toBe(true);
  });

  it('rejects a price ending whose remainder is not below its modulus', () => {
    const result = pricingConfigSchema.safeParse({ defaults: { priceEnding: { modulus: 100, remainder: 100 } } });
    expect(result.success).toBe(false);
  });

  it('accepts every parameter set the property tests generate (they test valid configs only)', () => {
    fc.assert(
      fc.property(parametersArb, (params) => {
        const result = pricingConfigSchema.safeParse({ defaults: params });
        expect(result.error).toBeUndefined();
      }),
      { numRuns: 1_000 },
    );
  });
});
