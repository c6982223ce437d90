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
