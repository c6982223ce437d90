/**
 * The pipeline panel in the header, on every page: one pill coloured by the pipeline's worst path
 * (green, amber, red, as GET /ops/pipeline says), opening onto each path's why and numbers (the
 * Glue job's run and last batch, the fast path's mapping, last hour and dead letters), the latest
 * restart and the thresholds behind the colours; and, behind the confirmation dialog, the Glue job's
 * restart and the redrive of the fast path's dead letters.
 */
import { actionProps } from './access.js';
import { confirmAction } from './dialogs.js';
import { h, replaceChildren } from './dom.js';
import { clock } from './format.js';

const LABELS = { ok: 'OK', warn: 'attention', down: 'DOWN', unknown: 'unknown' };

function pathRow(title, path, details) {
  return h(
    'div',
    { class: 'pipeline__path', 'data-state': path.status, 'data-testid': `pipeline-${title.replace(' ', '-')}` },
    h('span', { class: 'pipeline__dot', 'aria-hidden': 'true' }),
    h('strong', {}, `${title} · ${LABELS[path.status]}`),
    h('span', { class: 'pipeline__why' }, path.why),
    ...details.map((line) => h('span', { class: 'pipeline__detail muted' }, line)),
  );
}

function batchLines(richPath) {
  const batch = richPath.lastBatch;
  if (batch === null) return ['No batch committed yet'];
  return [
    `Last batch ${batch.batchId} (${batch.engine}): window ${clock(batch.windowStart)}–${clock(batch.windowEnd)}, ${batch.records} records (${batch.rejected} refused), ${batch.rows} rows, committed ${clock(batch.committedAt)}; newest record ${richPath.lagSeconds} s old`,
  ];
}

function fastPathLines(fastPath) {
  const { mapping, metrics } = fastPath;
  const lines = [
    mapping === null
      ? 'Event-source mapping: not read'
      : `Event-source mapping ${mapping.state}; last batch ${mapping.lastProcessingResult ?? '-'}`,
  ];
  if (metrics === null) return [...lines, 'Metrics: not read'];
  const age = metrics.iteratorAgeSeconds === null ? 'idle' : `${Math.round(metrics.iteratorAgeSeconds)} s behind`;
  return [
    ...lines,
    `Last hour: ${metrics.invocationsLastHour} invocations, ${metrics.errorsLastHour} errors; ${age}`,
    `Dead letters: ${metrics.deadLettersSentLastHour} sent in the last hour, ${metrics.deadLettersWaiting ?? '-'} waiting; ${fastPath.quarantinedLastHour} bad records quarantined`,
  ];
}

function restartLine(restart) {
  if (restart === null) return [];
  const outcome =
    restart.state === 'done'
      ? `done: run ${restart.newRunId} started ${clock(restart.finishedAt)}`
      : restart.state === 'failed'
        ? `failed: ${restart.error}`
        : `waiting for ${restart.stoppingRunIds.join(', ')} to stop`;
  return [`Last restart ${clock(restart.requestedAt)} by ${restart.requestedBy} (“${restart.reason}”): ${outcome}`];
}

function thresholdsText({ thresholds: t, checkedAt }) {
  return (
    `Amber: a Glue run starting or stopping (over ${t.glueStartingWarnSeconds} s is stuck), clicks arriving but the newest committed record over ${t.richLagWarnSeconds} s old, ` +
    `the fast path over ${t.iteratorAgeWarnSeconds} s behind, failed invocations, dead letters waiting, or ${t.quarantinedLastHourWarn}+ bad records in an hour. ` +
    `Red: no Glue run, the event-source mapping off, or the fast path over ${t.iteratorAgeDownSeconds} s behind. Checked ${clock(checkedAt)}.`
  );
}

/**
 * Renders the pill and its panel into `container` (a <details>), keeping it open if it was.
 * `health` is null while the API cannot say (the panel then shows `error`).
 */
export function renderPipeline(container, { health, error, api, onRestarted, onRedriven }) {
  const status = health?.status ?? 'unknown';
  container.dataset.state = status;
  const run = health?.richPath.run ?? null;
  const restart = () =>
    confirmAction({
      title: 'Restart the Glue job',
      testid: 'glue-restart-dialog',
      tone: 'danger',
      confirmLabel: 'Restart the job',
      summary: () => [
        run !== null && ['STARTING', 'RUNNING', 'WAITING'].includes(run.state)
          ? `Run ${run.id} stops after its batch in flight; the next starts once it has, from the checkpoint: nothing is lost or counted twice.`
          : 'No run is active: a new run starts at once, from the checkpoint.',
        'The rich path aggregates nothing while no run runs; the fast path keeps pricing.',
      ],
      run: (values) => api.restartGlue({ reason: values.reason }),
      onDone: (answer) => onRestarted(answer),
    });
  const waiting = health?.fastPath.metrics?.deadLettersWaiting ?? null;
  const redrive = () =>
    confirmAction({
      title: 'Redrive the fast path’s dead letters',
      testid: 'dlq-redrive-dialog',
      confirmLabel: 'Redrive',
      summary: () => [
        `${waiting ?? 'An unknown number of'} discarded batch${waiting === 1 ? '' : 'es'} wait${waiting === 1 ? 's' : ''}: each is read back from the stream by position and run through the clickstream function again.`,
        'Records the failed attempts already counted are not counted again (the counters keep a position per shard), nor are minutes that later records of the shard have since counted; a batch that fails again stays in the queue.',
      ],
      run: (values) => api.redriveDeadLetters({ consumer: 'clickstream', reason: values.reason }),
      onDone: (answer) => onRedriven(answer),
    });
  replaceChildren(
    container,
    h(
      'summary',
      { class: 'pipeline__pill', 'data-testid': 'pipeline-pill' },
      h('span', { class: 'pipeline__dot', 'aria-hidden': 'true' }),
      `Pipeline ${LABELS[status]}`,
    ),
    h(
      'div',
      { class: 'pipeline__panel card', 'data-testid': 'pipeline-panel' },
      health === null
        ? h('p', { role: 'alert', class: 'notice' }, `The pipeline's health is not known: ${error ?? 'no answer yet'}`)
        : [
            pathRow('rich path', health.richPath, [
              `Glue job ${health.richPath.jobName}${run === null ? '' : `; its last run started ${clock(run.startedAt)}`}`,
              ...batchLines(health.richPath),
              ...restartLine(health.richPath.restart),
            ]),
            pathRow('fast path', health.fastPath, fastPathLines(health.fastPath)),
            h('p', { class: 'pipeline__thresholds muted' }, thresholdsText(health)),
            h(
              'div',
              { class: 'pipeline__actions' },
              h(
                'button',
                {
                  type: 'button',
                  class: 'button button--small',
                  onclick: restart,
                  'data-testid': 'glue-restart',
                  ...actionProps(),
                },
                'Restart Glue job…',
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'button button--small',
                  onclick: redrive,
                  'data-testid': 'dlq-redrive',
                  ...actionProps(),
                },
                'Redrive dead letters…',
              ),
            ),
          ],
    ),
  );
}
