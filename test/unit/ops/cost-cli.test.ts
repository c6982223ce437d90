import { describe, expect, it } from 'vitest';
import { AWS_PRICES } from '../../../ops/cost/aws-prices.js';
import {
  checkTraffic,
  estimateMonthlyCost,
  expectedDistinct,
  TRAFFIC_LIMITS,
  type Traffic,
  withDefaults,
} from '../../../ops/cost/cost-model.js';
import { runScript } from '../../helpers/run-script.js';

/** `ops/cost/cli.ts` as its npm script runs it. */
const cost = (args: string[]) => runScript('ops/cost/cli.ts', args);

const base: Traffic = {
  eventsPerDay: 10_000_000,
  products: 240,
  peakFactor: 3,
  apiRequestsPerDay: 1_000_000,
  changesPerProductPerDay: 1,
};

describe('npm run cost refuses a bad flag before any estimate, naming it (exit 2, one line)', () => {
  it.concurrent.each([
    // Fractional counts: a fraction of a product made the bill NaN.
    [['--events-per-day', '1000000', '--products', '0.5'], '--products', /whole number in digits.*"0\.5"/],
    [['--events-per-day', '1000000', '--products', '1.5'], '--products', /"1\.5"/],
    [['--events-per-day', '1000000.5'], '--events-per-day', /whole number in digits/],
    [['--events-per-day', '1000', '--api-requests-per-day', '2.5'], '--api-requests-per-day', /whole number/],
    // Exponents, hex, signs, stray text, badly grouped thousands.
    [['--events-per-day', '1e6'], '--events-per-day', /whole number in digits.*"1e6"/],
    [['--events-per-day', '0x10'], '--events-per-day', /"0x10"/],
    [['--events-per-day', '-5'], '--events-per-day', /"-5"/],
    [['--events-per-day', '+5'], '--events-per-day', /"\+5"/],
    [['--events-per-day', '10M'], '--events-per-day', /"10M"/],
    [['--events-per-day', ''], '--events-per-day', /""/],
    [['--events-per-day', '1,0000'], '--events-per-day', /"1,0000"/],
    [['--events-per-day', '1,000_000'], '--events-per-day', /"1,000_000"/],
    [['--events-per-day', '1000', '--peak-factor', '1e1'], '--peak-factor', /number in digits.*"1e1"/],
    [['--events-per-day', '1000', '--peak-factor', '-3'], '--peak-factor', /"-3"/],
    [['--events-per-day', '1000', '--changes-per-product-per-day', '.5'], '--changes-per-product-per-day', /".5"/],
    // Out of range: zero, a peak below the mean, past each bound.
    [['--events-per-day', '0'], '--events-per-day', /from 1 to 10,000,000,000; got 0/],
    [['--events-per-day', '1000', '--products', '0'], '--products', /from 1 to 10,000,000; got 0/],
    [['--events-per-day', '1000', '--peak-factor', '0.1'], '--peak-factor', /from 1 .* to 86,400 .*got 0\.1/],
    [['--events-per-day', '1000', '--peak-factor', '100000'], '--peak-factor', /to 86,400/],
    [['--events-per-day', '100,000,000,000'], '--events-per-day', /to 10,000,000,000; got 100000000000/],
    [['--events-per-day', '100000000000000000000'], '--events-per-day', /to 10,000,000,000/],
    [['--events-per-day', '1000', '--products', '10_000_001'], '--products', /to 10,000,000; got 10000001/],
    [['--events-per-day', '1000', '--api-requests-per-day', '0'], '--api-requests-per-day', /above 0/],
    [['--events-per-day', '1000', '--api-requests-per-day', '10000000001'], '--api-requests-per-day', /10,000,000,000/],
    [['--events-per-day', '1000', '--changes-per-product-per-day', '0'], '--changes-per-product-per-day', /above 0/],
    [['--events-per-day', '1000', '--changes-per-product-per-day', '1441'], '--changes-per-product-per-day', /1,440/],
    // Each within bounds, together past the busiest second the model goes to (1,000 shards).
    [['--events-per-day', '10,000,000,000', '--peak-factor', '9'], '--peak-factor', /busiest second.*1,000,000/],
  ])('%j: names %s', async (args, flag, detail) => {
    const { code, stdout, stderr } = await cost(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^error: ${flag.replaceAll('-', '\\-')} `));
    expect(stderr).toMatch(detail);
    expect(stderr).not.toMatch(/NaN|Infinity|at .*\.ts/);
  });

  it.concurrent.each([
    [['--events-per-day', '1000', '--products', '5', '--products', '6'], /--products is given more than once/],
    [['--events-per-day'], /--events-per-day/],
    [['--products', '5'], /--events-per-day is required/],
    [['--events-per-day', '1000', '--shards', '4'], /--shards/],
  ])('%j: refused with the usage (exit 2)', async (args, message) => {
    const { code, stdout, stderr } = await cost(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/usage: npm run cost/);
  });
});

describe('npm run cost accepts what its usage says', () => {
  it.concurrent('states the accepted forms and every bound in --help', async () => {
    const { code, stdout } = await cost(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/10,000,000, 10_000_000/);
    expect(stdout).toMatch(/no exponents \(1e6\), signs or hex/);
    expect(stdout).toMatch(/--events-per-day 1 to 10,000,000,000/);
    expect(stdout).toMatch(/--products 1 to 10,000,000/);
    expect(stdout).toMatch(/--peak-factor 1 to 86,400/);
    expect(stdout).toMatch(/--changes-per-product-per-day above 0 to 1,440/);
  });

  it.concurrent.each([['10000000'], ['10,000,000'], ['10_000_000']])(
    '--events-per-day %s is ten million, as the README prices it',
    async (events) => {
      const { code, stdout } = await cost(['--events-per-day', events, '--json']);
      expect(code).toBe(0);
      const estimate = JSON.parse(stdout);
      expect(estimate.traffic.eventsPerDay).toBe(10_000_000);
      expect(estimate.totalUsd).toBeCloseTo(529.99, 1);
    },
  );

  it.concurrent('takes grouped counts and decimal factors on every flag', async () => {
    const { code, stdout } = await cost([
      ...['--events-per-day', '1000000', '--products', '1,000', '--peak-factor', '2.5'],
      ...['--api-requests-per-day', '50_000', '--changes-per-product-per-day', '0.5', '--json'],
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).traffic).toEqual({
      eventsPerDay: 1_000_000,
      products: 1_000,
      peakFactor: 2.5,
      apiRequestsPerDay: 50_000,
      changesPerProductPerDay: 0.5,
    });
  });

  it.concurrent.each([
    [['--events-per-day', '1', '--products', '1', '--peak-factor', '86400', '--changes-per-product-per-day', '0.001']],
    [
      [
        ...['--events-per-day', '10,000,000,000', '--products', '10,000,000', '--peak-factor', '8.64'],
        ...['--api-requests-per-day', '10,000,000,000', '--changes-per-product-per-day', '1440'],
      ],
    ],
  ])('at the corners of its bounds %j prints a finite bill', async (args) => {
    const { code, stdout } = await cost(args);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/NaN|Infinity|e\+/);
    expect(stdout).toMatch(/^total\s+\$[\d,]+\.\d\d$/m);
  });
});

describe('the cost model checks the traffic it is given', () => {
  it('names the field and the bound', () => {
    expect(() => checkTraffic({ ...base, products: 0.5 })).toThrow(
      /products must be a whole number from 1 to 10,000,000/,
    );
    expect(() => checkTraffic({ ...base, products: 1.5 })).toThrow(RangeError);
    expect(() => checkTraffic({ ...base, eventsPerDay: 1e20 })).toThrow(
      /eventsPerDay .* to 10,000,000,000; got 100000000000000000000/,
    );
    expect(() => checkTraffic({ ...base, eventsPerDay: Number.NaN })).toThrow(/eventsPerDay/);
    expect(() => checkTraffic({ ...base, peakFactor: 0.1 })).toThrow(/peakFactor must be from 1/);
    expect(() => checkTraffic({ ...base, apiRequestsPerDay: 0 })).toThrow(/apiRequestsPerDay/);
    expect(() => checkTraffic({ ...base, changesPerProductPerDay: Number.POSITIVE_INFINITY })).toThrow(
      /changesPerProductPerDay/,
    );
    expect(() => checkTraffic({ ...base, eventsPerDay: 10_000_000_000, peakFactor: 9 })).toThrow(
      /peakFactor 9 at eventsPerDay 10,000,000,000 puts 1,041,667 events in the busiest second/,
    );
  });

  it('names fields as the caller calls them (the CLI: its flags)', () => {
    expect(() =>
      withDefaults(
        1_000_000,
        { products: 0.5 },
        {
          eventsPerDay: '--events-per-day',
          products: '--products',
          peakFactor: '--peak-factor',
          apiRequestsPerDay: '--api-requests-per-day',
          changesPerProductPerDay: '--changes-per-product-per-day',
        },
      ),
    ).toThrow(/^--products must be/);
  });

  it('estimateMonthlyCost refuses traffic outside the bounds rather than price it', () => {
    expect(() => estimateMonthlyCost({ ...base, products: 0.5 }, AWS_PRICES)).toThrow(RangeError);
    expect(() => estimateMonthlyCost({ ...base, eventsPerDay: 1e300 }, AWS_PRICES)).toThrow(RangeError);
  });

  it('keeps the defaults of a small traffic level, a fractional tenth of it as API requests, within bounds', () => {
    expect(withDefaults(5).apiRequestsPerDay).toBe(0.5);
  });

  it('prices every corner of the bounds with finite numbers within the shards its bound allows', () => {
    const { maxEventsPerDay, maxProducts, maxApiRequestsPerDay, maxChangesPerProductPerDay } = TRAFFIC_LIMITS;
    for (const eventsPerDay of [1, maxEventsPerDay]) {
      for (const products of [1, maxProducts]) {
        for (const peakFactor of [
          1,
          Math.min(86_400, (TRAFFIC_LIMITS.maxPeakEventsPerSecond * 86_400) / eventsPerDay),
        ]) {
          for (const changesPerProductPerDay of [0.001, maxChangesPerProductPerDay]) {
            const traffic = {
              eventsPerDay,
              products,
              peakFactor,
              apiRequestsPerDay: maxApiRequestsPerDay,
              changesPerProductPerDay,
            };
            const estimate = estimateMonthlyCost(traffic, AWS_PRICES);
            expect(Number.isFinite(estimate.totalUsd)).toBe(true);
            for (const line of estimate.lines) expect(Number.isFinite(line.monthlyUsd)).toBe(true);
            // 1,000 shards, and one more at the exact corner (8.64 × 10 billion / 86,400 rounds above 1,000,000).
            expect(estimate.derived.shards).toBeLessThanOrEqual(1_001);
          }
        }
      }
    }
  });

  it('counts no more distinct product-minutes than events, however few', () => {
    // 1 product, 1 event a day: one product-minute, not one for each of the day's 1,440 minutes.
    expect(expectedDistinct(1, 1 / 1_440)).toBeCloseTo(1 / 1_440, 10);
    expect(
      estimateMonthlyCost({ ...base, eventsPerDay: 1, products: 1 }, AWS_PRICES).derived.aggregateRowsPerDay,
    ).toBeCloseTo(1, 6);
    expect(expectedDistinct(240, 57.87)).toBeCloseTo(51.512, 2);
  });
});
