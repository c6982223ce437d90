/** The chips that say why a change happened: its reason code, and the guardrail that bound it. */
import { h } from './dom.js';
import { codeLabel } from './format.js';

/** What each guardrail holds a price to (functions/domain/price-change.ts, GUARDRAILS), on hover. */
const GUARDRAIL_HINTS = {
  floor: 'the price may not go below the floor',
  ceiling: 'the price may not go above the ceiling',
  max_step: 'one change may move the price at most the maximum step',
  price_ending: 'no price with the configured ending fitted within the bounds',
  clicks_only: 'clicks without orders may lift a price at most one step above base',
  margin_floor: 'the price may not go below unit cost plus the margin',
};

export function changeChips(change) {
  return [
    h('span', { class: 'chip chip--reason', title: 'reason' }, codeLabel(change.reasonCode)),
    change.guardrail
      ? h(
          'span',
          {
            class: 'chip chip--guard',
            title: `guardrail that bound the price${GUARDRAIL_HINTS[change.guardrail] ? `: ${GUARDRAIL_HINTS[change.guardrail]}` : ''}`,
          },
          `bound by ${codeLabel(change.guardrail)}`,
        )
      : null,
  ];
}
