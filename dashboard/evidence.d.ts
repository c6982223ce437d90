/** Types of evidence.js, for the TypeScript that imports it (its unit tests); the page needs none. */
import type { PriceChange } from '../functions/domain/api-types.js';

export type EvidenceLineKind = 'warmup' | 'test' | 'threshold' | 'demand' | 'stock' | 'margin';

export interface EvidenceLine {
  readonly kind: EvidenceLineKind;
  readonly text: string;
}

export interface EvidenceVerdict {
  readonly significant: boolean;
  readonly text: 'significant' | 'not significant';
}

export interface Evidence {
  readonly summary: string;
  readonly summaryKind: EvidenceLineKind;
  readonly verdict: EvidenceVerdict | null;
  readonly lines: EvidenceLine[];
}

export function evidenceOf(
  change: Pick<PriceChange, 'source' | 'signals' | 'reasonCode'>,
  currency: string | undefined,
): Evidence | null;
