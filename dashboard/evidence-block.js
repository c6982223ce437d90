/**
 * A history row's evidence (evidence.js) as the page shows it: the verdict in words beside a one-line
 * summary, then the lines. The same testids wherever it appears (history table, chart tooltip, feed),
 * each inside its row, tooltip or feed item. Nothing is drawn for a row without evidence.
 */
import { h } from './dom.js';
import { evidenceOf } from './evidence.js';

function verdictBadge(verdict) {
  return h(
    'span',
    {
      class: `verdict verdict--${verdict.significant ? 'significant' : 'not-significant'}`,
      'data-testid': 'evidence-verdict',
    },
    verdict.text,
  );
}

/**
 * The verdict judges the demand test: it stands beside the summary when the summary is the demand,
 * else (a move on stock) beside the P-value line, so it is never read as a verdict on the stock.
 */
function verdictAt(evidence) {
  if (evidence.verdict === null) return null;
  if (evidence.summaryKind === 'demand') return 'summary';
  return evidence.lines.some((line) => line.kind === 'threshold') ? 'threshold' : 'demand';
}

function headline(evidence) {
  return [
    h('span', { class: 'visually-hidden' }, 'Evidence: '),
    verdictAt(evidence) === 'summary' ? [verdictBadge(evidence.verdict), ' '] : null,
    h('span', { class: 'evidence__headline', 'data-testid': 'evidence-summary' }, evidence.summary),
  ];
}

function lineList(evidence) {
  const at = verdictAt(evidence);
  return h(
    'ul',
    { class: 'evidence__lines' },
    evidence.lines
      // The summary line says nothing the headline above it does not.
      .filter((line) => line.text !== evidence.summary || line.kind === at)
      .map((line) =>
        h(
          'li',
          { class: `evidence__line evidence__line--${line.kind}`, 'data-testid': `evidence-${line.kind}` },
          line.text,
          line.kind === at ? [' ', verdictBadge(evidence.verdict)] : null,
        ),
      ),
  );
}

const dataOf = (evidence) => ({
  verdict: evidence.verdict === null ? 'none' : evidence.verdict.significant ? 'significant' : 'not-significant',
  summaryKind: evidence.summaryKind,
});

/**
 * For the history table: the summary, expandable to every line (a <details>, so keyboards and
 * screen readers open it). `open` and `ontoggle(open)` let the caller keep it open across redraws.
 * @param {import('../functions/domain/api-types.js').PriceChange} change
 * @param {string} [currency]
 * @param {{ open?: boolean, ontoggle?: (open: boolean) => void }} [state]
 */
export function evidenceDetails(change, currency, { open = false, ontoggle } = {}) {
  const evidence = evidenceOf(change, currency);
  if (evidence === null) return null;
  return h(
    'details',
    {
      class: 'evidence',
      'data-testid': 'evidence',
      dataset: dataOf(evidence),
      open,
      ontoggle: ontoggle ? (event) => ontoggle(event.currentTarget.open) : undefined,
    },
    h('summary', { class: 'evidence__summary', title: 'Show the evidence' }, headline(evidence)),
    lineList(evidence),
  );
}

/** For the chart's marker tooltip: the summary and every line. */
export function evidencePanel(change, currency) {
  const evidence = evidenceOf(change, currency);
  if (evidence === null) return null;
  return h(
    'div',
    { class: 'evidence evidence--panel', 'data-testid': 'evidence', dataset: dataOf(evidence) },
    h('div', { class: 'evidence__summary' }, headline(evidence)),
    lineList(evidence),
  );
}

/** For the live feed: the summary alone, on one line (all of it in the title when cut short). */
export function evidenceSummary(change, currency) {
  const evidence = evidenceOf(change, currency);
  if (evidence === null) return null;
  return h(
    'div',
    {
      class: 'evidence evidence--line',
      'data-testid': 'evidence',
      dataset: dataOf(evidence),
      title: evidence.summary,
    },
    h('div', { class: 'evidence__summary' }, headline(evidence)),
  );
}
