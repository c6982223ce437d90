/**
 * A policy file: the pricing-config table's content as JSON (`killSwitch`, `shadowMode`, `defaults`,
 * `categories`), checked by the very schema the table is checked with, so a file the backtest
 * accepts is one ops can load into pricing-config, and one it refuses names the field at fault.
 */
import { readFile } from 'node:fs/promises';
import { type PricingConfig, pricingConfigSchema } from '../functions/domain/pricing-config.js';

/** A policy file that cannot be used; the message names the file and the field. */
export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';
}

export async function readPolicyFile(path: string): Promise<PricingConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PolicyFileError(`cannot read policy file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyFileError(`policy file ${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return parsePolicy(json, path);
}

/** Validates a policy; each issue is reported as `path.to.field: message`. */
export function parsePolicy(json: unknown, source: string): PricingConfig {
  const parsed = pricingConfigSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(the file)'}: ${issue.message}`);
  throw new PolicyFileError(`policy file ${source} is not a valid pricing config: ${issues.join('; ')}`);
}

/**
 * Refuses a policy whose category overrides name no category of the simulator's catalogues: the
 * schema takes any slug (a live catalogue may gain the category later), but in a backtest a
 * misspelled one would silently leave its category on the defaults.
 */
export function assertPolicyCategories(config: PricingConfig, categories: readonly string[], source: string): void {
  const known = new Set(categories);
  const unknown = Object.keys(config.categories).filter((slug) => !known.has(slug));
  if (unknown.length === 0) return;
  throw new PolicyFileError(
    `policy file ${source}: ${unknown.map((slug) => `categories.${slug}`).join(', ')} names no category of the simulator's catalogue (${[...known].sort().join(', ')})`,
  );
}
