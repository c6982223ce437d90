/**
 * The detector's promises, checked on simulated counts: on stationary Poisson traffic it declares a
 * change in at most `falseAlarmLevel` of its evaluations, however busy the product, on both paths,
 * evaluated once or along a whole day; it finds a real tenfold rise quickly; and its cheap screen for
 * rises (mayRise) never hides one that the full assessment finds.
 */
import { describe, expect, it } from 'vitest';
import {
  assessDemand,
  type DemandObservation,
  type EvidenceParams,
  fadedPrior,
  LOOKS_PER_FILLING_PERIOD,
  type PeriodCounts,
  prepareEvidence,
} from '../../../functions/domain/demand-evidence.js';
import { DEFAULT_CATEGORY_PARAMETERS } from '../../../functions/domain/pricing-defaults.js';
import { createRandom, type Random } from '../../../simulator/random.js';

const PARAMS: EvidenceParams = DEFAULT_CATEGORY_PARAMETERS;

/** A Poisson draw: Knuth's product of uniforms, in pieces of mean ≤ 20 (their sum is Poisson too). */
function poisson(random: Random, mean: number): number {
  let total = 0;
  for (let left = mean; left > 0; left -= 20) {
    const limit = Math.exp(-Math.min(left, 20));
    let product = random.next();
    while (product > limit) {
      total++;
      product *= random.next();
    }
  }
  return total;
}

/** One period's counts at `views` expected views: carts a tenth of that, purchases a fiftieth. */
function draw(random: Random, views: number, share = 1): PeriodCounts {
  const purchases = poisson(random, (views / 50) * share);
  return {
    views: poisson(random, views * share),
    carts: poisson(random, (views / 10) * share),
    purchases,
    units: purchases,
  };
}

function stationary(random: Random, views: number, periods: number, source: DemandObservation['source']) {
  const fraction = source === 'minutes' ? 0.05 + 0.95 * random.next() : 1;
  const counts = Array.from({ length: periods }, (_, index) =>
    draw(random, views, index === periods - 1 ? fraction : 1),
  );
  return { source, periodSeconds: 60, periods: counts, lastPeriodFraction: fraction };
}

const RATES = [0.2, 1, 5, 50, 500];

describe('the demand detector on stationary traffic', () => {
  it.each([0.01, 0.05])(
    'declares a change in at most %s of single evaluations, on either path and at any rate',
    (level) => {
      const random = createRandom(20261205);
      const params = { ...PARAMS, falseAlarmLevel: level };
      const runs = 2_000;
      for (const source of ['minutes', 'windows'] as const) {
        for (const views of RATES) {
          let alarms = 0;
          for (let run = 0; run < runs; run++) {
            const evidence = assessDemand(stationary(random, views, 71, source), null, params);
            if (evidence.kind === 'assessed' && evidence.direction !== 'steady') alarms++;
          }
          expect(alarms / runs, `${source} at ${views} views a period`).toBeLessThanOrEqual(level);
        }
      }
    },
  );

  it('declares a change in at most its level of the evaluations along a whole day, one per period', () => {
    const random = createRandom(7);
    const level = 0.01;
    const params = { ...PARAMS, falseAlarmLevel: level };
    for (const views of [1, 50]) {
      const day: PeriodCounts[] = Array.from({ length: 1_440 + 70 }, () => draw(random, views));
      let alarms = 0;
      let evaluations = 0;
      for (let end = 71; end <= day.length; end++) {
        const observation: DemandObservation = {
          source: 'windows',
          periodSeconds: 60,
          periods: day.slice(end - 71, end),
          lastPeriodFraction: 1,
        };
        const evidence = assessDemand(observation, null, params);
        evaluations++;
        if (evidence.kind === 'assessed' && evidence.direction !== 'steady') alarms++;
      }
      expect(alarms / evaluations, `${views} views a period`).toBeLessThanOrEqual(level);
    }
  });

  it('holds its level with a category prior that is right about the rate', () => {
    const random = createRandom(99);
    const level = 0.05;
    for (const views of [1, 20]) {
      const demandPrior = {
        viewsPerPeriod: views,
        cartsPerPeriod: views / 10,
        purchasesPerPeriod: views / 50,
        unitsPerPeriod: views / 50,
        weightPeriods: 20,
      };
      const params = { ...PARAMS, falseAlarmLevel: level, demandPrior };
      let alarms = 0;
      const runs = 2_000;
      for (let run = 0; run < runs; run++) {
        // A young product: 12 periods of its own, the prior for the rest.
        const evidence = assessDemand(stationary(random, views, 12, 'windows'), null, params);
        if (evidence.kind === 'assessed' && evidence.direction !== 'steady') alarms++;
      }
      expect(alarms / runs, `${views} views a period`).toBeLessThanOrEqual(level);
    }
  });
});

/** P(Binomial(n, p) ≥ k): how surprising k alarms in n runs would be at a true rate of p. */
function binomialUpperTail(n: number, p: number, k: number): number {
  let term = (1 - p) ** n;
  let tail = k <= 0 ? term : 0;
  for (let i = 1; i <= n; i++) {
    term *= ((n - i + 1) / i) * (p / (1 - p));
    if (i >= k) tail += term;
  }
  return tail;
}

describe('a category prior wrong about a product', () => {
  it.each([3, 30])(
    'no longer counts once the product has its weight of history: at %s views a period against a prior of 10, the level holds',
    (views) => {
      const random = createRandom(314 + views);
      const level = 0.05;
      const demandPrior = {
        viewsPerPeriod: 10,
        cartsPerPeriod: 1,
        purchasesPerPeriod: 0.2,
        unitsPerPeriod: 0.2,
        weightPeriods: 20,
      };
      const params = { ...PARAMS, falseAlarmLevel: level, demandPrior };
      const runs = 2_000;
      let alarms = 0;
      for (let run = 0; run < runs; run++) {
        // 71 periods of its own: far more than the prior's 20.
        const evidence = assessDemand(stationary(random, views, 71, 'windows'), null, params);
        if (evidence.kind === 'assessed' && evidence.direction !== 'steady') alarms++;
      }
      expect(binomialUpperTail(runs, level, alarms), `${alarms} alarms in ${runs} evaluations`).toBeGreaterThan(1e-3);
    },
  );

  it('fades a period for each period of the product’s own', () => {
    const prior = {
      viewsPerPeriod: 10,
      cartsPerPeriod: 1,
      purchasesPerPeriod: 0.2,
      unitsPerPeriod: 0.2,
      weightPeriods: 20,
    };
    expect(fadedPrior(prior, 0)).toEqual(prior);
    expect(fadedPrior(prior, 12)).toEqual({ ...prior, weightPeriods: 8 });
    expect(fadedPrior(prior, 20)).toBeNull();
    expect(fadedPrior(null, 0)).toBeNull();
  });
});

describe('the fast path reading its filling minute at every event', () => {
  it.each([1, 5, 50, 500])(
    'declares a rise in at most its level of stationary minutes at %s views a minute, however often it reads',
    (views) => {
      const random = createRandom(20261207 + views);
      const level = 0.01;
      const params = { ...PARAMS, falseAlarmLevel: level };
      const runs = 2_000;
      let alarms = 0;
      for (let run = 0; run < runs; run++) {
        const earlier = Array.from({ length: 70 }, () => draw(random, views));
        const evidence = prepareEvidence('minutes', 60, earlier, null, params);
        // The minute's events, a Poisson process: views, and carts a tenth as often.
        const events = poisson(random, views * 1.1);
        const times = Array.from({ length: events }, () => random.next()).sort((a, b) => a - b);
        const current = { views: 0, carts: 0, purchases: 0, units: 0 };
        const reads = times.map((time) => {
          if (random.next() < 1 / 11) current.carts++;
          else current.views++;
          return { counts: { ...current }, fraction: Math.max(1 / 60, time) };
        });
        // And once more after the minute ended, as a late batch reads it.
        reads.push({ counts: { ...current }, fraction: 1 });
        const rose = reads.some(({ counts, fraction }) => {
          if (!evidence.mayRise(counts, fraction)) return false;
          const read = evidence.assess(counts, fraction);
          return read.kind === 'assessed' && read.direction === 'up';
        });
        if (rose) alarms++;
      }
      // Failing only when so many alarms would be a one-in-a-thousand chance at the level itself.
      expect(binomialUpperTail(runs, level, alarms), `${alarms} alarms in ${runs} minutes`).toBeGreaterThan(1e-3);
    },
  );
});

describe('the fast path’s looks', () => {
  it('rises at an event only where the look after it rises too: every read is bounded by one of the six looks', () => {
    // What makes the level hold however often a minute is read: a read at an event is a read at the
    // next sixth of the minute with fewer events than that look will have seen.
    const random = createRandom(20261208);
    const params = { ...PARAMS, falseAlarmLevel: 0.05 };
    const up = (counts: PeriodCounts, fraction: number, evidence: ReturnType<typeof prepareEvidence>) => {
      const read = evidence.assess(counts, fraction);
      return read.kind === 'assessed' && read.direction === 'up';
    };
    let risenReads = 0;
    for (let run = 0; run < 900; run++) {
      const views = [1, 5, 50][run % 3] as number;
      const evidence = prepareEvidence(
        'minutes',
        60,
        Array.from({ length: 70 }, () => draw(random, views)),
        null,
        params,
      );
      // A minute at one to three times the usual rate, so that many reads rise.
      const times = Array.from({ length: poisson(random, views * 1.1 * (1 + 2 * random.next())) }, () =>
        Math.max(1 / 60, random.next()),
      ).sort((a, b) => a - b);
      const kinds = times.map(() => (random.next() < 1 / 11 ? 'carts' : 'views'));
      const countsUntil = (until: number) => {
        const counts = { views: 0, carts: 0, purchases: 0, units: 0 };
        times.forEach((time, index) => {
          if (time <= until) counts[kinds[index] as 'views' | 'carts']++;
        });
        return counts;
      };
      for (const time of times) {
        if (!up(countsUntil(time), time, evidence)) continue;
        risenReads++;
        const look = Math.ceil(time * LOOKS_PER_FILLING_PERIOD - 1e-9) / LOOKS_PER_FILLING_PERIOD;
        expect(up(countsUntil(look), look, evidence), `a read at ${time} rose, the look at ${look} did not`).toBe(true);
      }
    }
    expect(risenReads).toBeGreaterThan(300);
  });
});

describe('the demand detector on a real change', () => {
  it('finds a tenfold rise of a product seen once a period within two periods, in more than eight runs of ten', () => {
    const random = createRandom(3);
    let found = 0;
    const runs = 1_000;
    for (let run = 0; run < runs; run++) {
      const periods = [...Array.from({ length: 70 }, () => draw(random, 1)), draw(random, 10), draw(random, 10)];
      const evidence = assessDemand(
        { source: 'windows', periodSeconds: 60, periods, lastPeriodFraction: 1 },
        null,
        PARAMS,
      );
      if (evidence.kind === 'assessed' && evidence.direction === 'up') found++;
    }
    expect(found / runs).toBeGreaterThan(0.8);
  });
});

describe('the rise screen of prepared evidence (mayRise)', () => {
  it('never says no where the assessment finds a rise, on steady, risen and fallen minutes, with and without a prior', () => {
    const random = createRandom(20261206);
    const demandPrior = {
      viewsPerPeriod: 5,
      cartsPerPeriod: 0.5,
      purchasesPerPeriod: 0.1,
      unitsPerPeriod: 0.1,
      weightPeriods: 20,
    };
    let rises = 0;
    let screenedOut = 0;
    let evaluations = 0;
    for (let run = 0; run < 3_000; run++) {
      const params = { ...PARAMS, demandPrior: run % 3 === 0 ? demandPrior : null };
      const views = RATES[run % RATES.length] as number;
      const history = 5 + Math.floor(random.next() * 70);
      const earlier = Array.from({ length: history }, () => draw(random, views));
      const prepared = prepareEvidence('minutes', 60, earlier, null, params);
      // The current minute at several moments, at the old rate or a multiple of it.
      const multiple = [0.2, 1, 1, 2, 5, 20][run % 6] as number;
      for (const fraction of [1 / 60, 0.1, 0.5, 0.9, 1]) {
        const current = draw(random, views * multiple, fraction);
        const evidence = prepared.assess(current, fraction);
        const screen = prepared.mayRise(current, fraction);
        evaluations++;
        if (!screen) screenedOut++;
        if (evidence.kind === 'assessed' && evidence.direction === 'up') {
          rises++;
          expect(screen, JSON.stringify({ earlier, current, fraction, prior: params.demandPrior !== null })).toBe(true);
        }
      }
    }
    // The screen is worth having only if it turns most evaluations away, and the check above only if rises occurred.
    expect(rises).toBeGreaterThan(500);
    expect(screenedOut / evaluations).toBeGreaterThan(0.5);
  });

  it('refuses a fraction outside (0, 1] as the assessment does', () => {
    const prepared = prepareEvidence('minutes', 60, [], null, PARAMS);
    expect(() => prepared.mayRise({ views: 1, carts: 0, purchases: 0, units: 0 }, 0)).toThrow(RangeError);
  });
});
