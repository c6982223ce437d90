import type * as z from 'zod/mini';
import { InvalidInputError } from './errors.js';

/** The result of validating untrusted input: the value, or a reason a person can act on. */
export type Validated<T> = { ok: true; value: T } | { ok: false; reason: string; field: string | null };

/**
 * Validates `input` against `schema`, turning zod issues into one line that names each field
 * (`quantity: Too small: expected number to be >=1`).
 */
export function validate<S extends z.ZodMiniType>(schema: S, input: unknown): Validated<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues;
  const reason = issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
  const first = issues[0];
  return { ok: false, reason, field: first && first.path.length > 0 ? first.path.join('.') : null };
}

/** Validates `input`, throwing an InvalidInputError that names the first offending field. */
export function parseOrThrow<S extends z.ZodMiniType>(schema: S, input: unknown, what = 'request'): z.output<S> {
  const result = validate(schema, input);
  if (result.ok) return result.value;
  throw new InvalidInputError(result.field ?? what, result.reason);
}
