/**
 * Pricing ops redriving a stream consumer's dead letters from the pipeline API
 * (POST /ops/pipeline/dlq/redrive): the redrive function does the work, beginning no letter after a
 * time budget that keeps the answer inside API Gateway's timeout. The request is audited before the
 * redrive starts, so a redrive whose answer is lost (a batch in flight past the timeout) is on record
 * all the same; the tally of its outcomes is a second row.
 */
import { randomUUID } from 'node:crypto';
import type { DlqRedriveAnswer } from '../domain/api-types.js';
import type { RedriveOutcome } from '../domain/dead-letters.js';
import { type DlqRedriveRequest, dlqRedriveRequestSchema } from '../domain/ops-requests.js';
import type { PriceChange } from '../domain/price-change.js';
import { globalOpsRowOf } from '../domain/price-history.js';
import { POLICY_VERSION } from '../domain/pricing-policy.js';
import { toIso } from '../domain/time.js';
import { parseOrThrow } from '../domain/validation.js';
import type { DeadLetterRedrives } from '../store/dead-letter-redrives.js';
import type { PriceHistoryStore } from '../store/price-history-store.js';

/** Dead letters per request unless asked for more. */
const DEFAULT_MAX = 10;
/** No dead letter is begun after this long: the API's function times out at 25 s, API Gateway at 30 s. */
const BUDGET_MS = 10_000;

export class DeadLetterRedrive {
  constructor(
    private readonly deps: {
      readonly redrives: DeadLetterRedrives;
      readonly history: PriceHistoryStore;
      /** @default Date.now */
      readonly clock?: () => number;
    },
  ) {}

  async redrive(input: DlqRedriveRequest): Promise<DlqRedriveAnswer> {
    const request = parseOrThrow(dlqRedriveRequestSchema, input);
    await this.deps.history.append(
      this.auditRow(request, 'dlq_redrive_requested', `Redrive of ${request.consumer}'s dead letters asked for`),
    );
    const { outcomes } = await this.deps.redrives.run({
      consumer: request.consumer,
      max: request.max ?? DEFAULT_MAX,
      budgetMs: BUDGET_MS,
    });
    const change = this.auditRow(
      request,
      'dlq_redriven',
      `Redrive of ${request.consumer}'s dead letters (${tally(outcomes)})`,
    );
    await this.deps.history.append(change);
    return { consumer: request.consumer, outcomes, change };
  }

  private auditRow(
    request: DlqRedriveRequest,
    reasonCode: 'dlq_redrive_requested' | 'dlq_redriven',
    what: string,
  ): PriceChange {
    return globalOpsRowOf({
      changedAt: toIso((this.deps.clock ?? Date.now)()),
      decisionId: `ops-${randomUUID()}`,
      reasonCode,
      explanation: `${what}: ${request.reason}`.slice(0, 1_000),
      policyVersion: POLICY_VERSION,
      actor: request.actor,
      // A redrive changes no versioned state: every redrive row is the first of its own.
      version: 1,
    });
  }
}

/** "2 replayed, 1 failed", or "none waiting". */
function tally(outcomes: readonly RedriveOutcome[]): string {
  if (outcomes.length === 0) return 'none waiting';
  const counts = new Map<string, number>();
  for (const { outcome } of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return [...counts].map(([outcome, count]) => `${count} ${outcome}`).join(', ');
}
