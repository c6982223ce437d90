import { type ParseArgsConfig, parseArgs } from 'node:util';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** A command-line argument that is not what it should be; CLIs report it and exit with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses a flag's value as a positive integer, naming the flag when it is not one. */
export function parsePositiveInteger(value: string | undefined, flag: string): number {
  const parsed = Number(value);
  if (value === undefined || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** Parses a flag's value as a positive number (decimals allowed), naming the flag when it is not one. */
export function parsePositiveNumber(value: string | undefined, flag: string): number {
  const parsed = Number(value);
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim()) || !(parsed > 0) || !Number.isFinite(parsed)) {
    throw new UsageError(`${flag} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** Parses an optional port flag (1–65535). */
export function parsePort(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const port = parsePositiveInteger(value, flag);
  if (port > 65_535) throw new UsageError(`${flag} must be a port between 1 and 65535, got ${value}`);
  return port;
}

/** `value` as one of `choices`, naming the flag and the choices when it is none of them. */
export function parseChoice<const T extends string>(value: string, choices: readonly T[], flag: string): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${choices.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/**
 * parseArgs takes `--rate -5` for a flag missing its value; glue a negative number to its flag
 * (`--rate=-5`) so the value check can say what is actually wrong with it.
 */
function attachNegativeNumbers(argv: readonly string[], options: FlagOptions): string[] {
  const args: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    const next = argv[index + 1];
    if (arg.startsWith('--') && options[arg.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      args.push(`${arg}=${next}`);
      index++;
    } else {
      args.push(arg);
    }
  }
  return args;
}

/**
 * A command line's flags and, if `allowPositionals`, its arguments (strict: an unknown flag, a flag
 * without its value or a flag given twice is a UsageError with `usage`). Twice is refused because
 * parseArgs keeps the last silently: `--hours 100 … --hours 0.01` would run the 0.01 the user may
 * not have meant.
 */
export function parseCommandLine<const O extends FlagOptions>(
  argv: readonly string[],
  options: O,
  usage: string,
  allowPositionals = false,
) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O; tokens: true; allowPositionals: boolean }>>;
  try {
    parsed = parseArgs({ args: attachNegativeNumbers(argv, options), options, tokens: true, allowPositionals });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once\n${usage}`);
    seen.add(token.name);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** A command line's flags, no arguments (see parseCommandLine). */
export function parseFlags<const O extends FlagOptions>(argv: readonly string[], options: O, usage: string) {
  return parseCommandLine(argv, options, usage).values;
}

/**
 * Runs a CLI's main function: a usage or set-up error prints one line saying what to do and exits 2;
 * anything else is a bug and keeps its stack. A main that returns a number exits with it, once
 * everything it left running has closed.
 */
export async function runCli(
  main: () => Promise<void> | Promise<number>,
  expected: readonly (new (...args: never[]) => Error)[] = [],
) {
  try {
    const code = await main();
    if (typeof code === 'number') process.exitCode = code;
  } catch (error) {
    if (error instanceof UsageError || expected.some((type) => error instanceof type)) {
      console.error(`error: ${(error as Error).message}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  }
}
