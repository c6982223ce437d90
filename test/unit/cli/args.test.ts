import { describe, expect, it } from 'vitest';
import { parseFlags, parsePositiveNumber, UsageError } from '../../../cli/args.js';

const options = {
  hours: { type: 'string' },
  tag: { type: 'string', multiple: true },
  fast: { type: 'boolean' },
} as const;
const usage = 'usage: tool --hours H';

describe('parseFlags', () => {
  it('reads the flags it knows', () => {
    expect(parseFlags(['--hours', '3', '--fast'], options, usage)).toEqual({ hours: '3', fast: true });
  });

  it('refuses a flag given twice, naming it, rather than keeping the last silently', () => {
    expect(() => parseFlags(['--hours', '100', '--fast', '--hours', '0.01'], options, usage)).toThrow(
      new UsageError(`--hours is given more than once\n${usage}`),
    );
    expect(() => parseFlags(['--fast', '--fast'], options, usage)).toThrow(/--fast is given more than once/);
    expect(() => parseFlags(['--hours=1', '--hours', '2'], options, usage)).toThrow(/--hours is given more than once/);
  });

  it('takes a flag made to repeat as many times as it is given', () => {
    expect(parseFlags(['--tag', 'a', '--tag', 'b'], options, usage)).toEqual({ tag: ['a', 'b'] });
  });

  it('refuses an unknown flag and a flag without its value, with the usage', () => {
    expect(() => parseFlags(['--hour', '3'], options, usage)).toThrow(UsageError);
    expect(() => parseFlags(['--hours'], options, usage)).toThrow(/usage: tool/);
  });

  it('keeps a negative number with its flag, so the value check says what is wrong with it', () => {
    const flags = parseFlags(['--hours', '-5'], options, usage);
    expect(flags.hours).toBe('-5');
    expect(() => parsePositiveNumber(flags.hours, '--hours')).toThrow('--hours must be a positive number, got "-5"');
  });
});
