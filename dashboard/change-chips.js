/** The chips that say why a change happened: its reason code, and the guardrail that bound it. */
import { h } from './dom.js';
import { codeLabel } from './format.js';

export function changeChips(change) {
  return [
    h('span', { class: 'chip chip--reason', title: 'reason' }, codeLabel(change.reasonCode)),
    change.guardrail
      ? h(
          'span',
          { class: 'chip chip--guard', title: 'guardrail that bound the price' },
          `bound by ${codeLabel(change.guardrail)}`,
        )
      : null,
  ];
}
