/**
 * The product page's chart (Chart.js, loaded as the global `Chart` by index.html): the price as a
 * stepped line over a linear time axis (epoch ms, formatted ticks), demand per window as bars on a
 * second axis, and one marker per history row whose tooltip (an HTML overlay) gives the reason
 * code, the guardrail, the explanation, the actor, the source and the evidence the decision rested on.
 */
import { h, replaceChildren } from './dom.js';
import { evidencePanel } from './evidence-block.js';
import { actionLabel, clock, count, dateTime, money, percentChange, shortClock } from './format.js';

const COLORS = {
  price: '#2563eb',
  up: '#059669',
  down: '#dc2626',
  freeze: '#0284c7',
  bounds: '#7c3aed',
  manual: '#d97706',
  shadow: '#6b7280',
  views: 'rgba(100, 116, 139, 0.35)',
  carts: 'rgba(245, 158, 11, 0.6)',
  purchases: 'rgba(16, 185, 129, 0.8)',
  grid: '#eef0f3',
  text: '#6b7280',
};

const TICK_STEPS = [
  5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1_800e3, 3_600e3, 7_200e3, 10_800e3, 21_600e3, 43_200e3,
  86_400e3,
];
const MIN_RANGE_MS = 5 * 60_000;
const MINUTE_MS = 60_000;

/** Ticks on round instants (every 30 s, 1 min, 5 min, ...), about `target` of them. */
function timeTicks(min, max, target = 8) {
  const step =
    TICK_STEPS.find((candidate) => (max - min) / candidate <= target) ?? TICK_STEPS[TICK_STEPS.length - 1] ?? MINUTE_MS;
  const ticks = [];
  for (let at = Math.ceil(min / step) * step; at <= max; at += step) ticks.push({ value: at });
  return { ticks, step };
}

function markerStyle(change) {
  if (change.action === 'freeze') return { style: 'rectRot', color: COLORS.freeze, radius: 7, fill: true };
  if (change.action === 'unfreeze') return { style: 'rectRot', color: COLORS.freeze, radius: 7, fill: false };
  if (change.action === 'bounds') return { style: 'triangle', color: COLORS.bounds, radius: 7, fill: true };
  if (change.action === 'shadow') return { style: 'crossRot', color: COLORS.shadow, radius: 6, fill: false };
  if (change.source === 'ops') return { style: 'rect', color: COLORS.manual, radius: 6, fill: true };
  const color = change.newPrice >= change.oldPrice ? COLORS.up : COLORS.down;
  return { style: 'circle', color, radius: 5.5, fill: true };
}

/** The chart's x range: a fixed span back from now, or (auto) just wide enough for the data. */
function rangeOf(range, changes, demand, now) {
  if (range !== 'auto') return { from: now - range, to: now };
  const counted = (row) => row.views + row.carts + row.purchases > 0;
  const instants = [
    ...changes.map((change) => Date.parse(change.changedAt)),
    ...demand.windows.filter(counted).map((window) => Date.parse(window.windowStart)),
    // The minutes series is zero-filled over the whole range asked for.
    ...demand.minutes.filter(counted).map((minute) => Date.parse(minute.minute)),
  ].filter((at) => Number.isFinite(at) && at > now - 24 * 3_600_000);
  const earliest = Math.min(now - MIN_RANGE_MS, ...instants);
  return { from: earliest - Math.max(30_000, (now - earliest) * 0.04), to: now };
}

/** The stepped price line from `from` to now, and the markers in range. */
function priceSeries(product, changes, from, now) {
  const ascending = changes
    .filter((change) => change.action !== 'config')
    .slice()
    .sort((a, b) => (a.changeId < b.changeId ? -1 : 1));
  const priced = ascending.filter((change) => change.action !== 'shadow');
  const before = priced.filter((change) => Date.parse(change.changedAt) < from);
  const inRange = priced.filter((change) => Date.parse(change.changedAt) >= from);
  const start = before.length > 0 ? before.at(-1).newPrice : (inRange[0]?.oldPrice ?? product.price);
  const line = [{ x: from, y: start }];
  for (const change of inRange) line.push({ x: Date.parse(change.changedAt), y: change.newPrice });
  line.push({ x: now, y: product.price });
  const markers = ascending
    .filter((change) => Date.parse(change.changedAt) >= from)
    .map((change) => ({
      x: Date.parse(change.changedAt),
      y: change.action === 'shadow' ? (change.proposedPrice ?? change.newPrice) : change.newPrice,
      change,
    }));
  return { line, markers };
}

/** Demand per window (or minute) on a regular grid, zero where nothing was counted, for even bars. */
function demandSeries(demand, source, from, now) {
  const rows =
    source === 'minutes'
      ? demand.minutes.map((minute) => ({
          start: Date.parse(minute.minute),
          end: Date.parse(minute.minute) + MINUTE_MS,
          ...minute,
        }))
      : demand.windows.map((window) => ({
          start: Date.parse(window.windowStart),
          end: Date.parse(window.windowEnd),
          ...window,
        }));
  const size = rows.length > 0 ? Math.max(1_000, rows[0].end - rows[0].start) : MINUTE_MS;
  const byStart = new Map(rows.map((row) => [row.start, row]));
  /** @type {{ views: { x: number, y: number }[], carts: { x: number, y: number }[], purchases: { x: number, y: number }[], size: number, counted: number }} */
  const series = { views: [], carts: [], purchases: [], size, counted: rows.length };
  for (let start = Math.floor(from / size) * size; start <= now; start += size) {
    const row = byStart.get(start);
    for (const kind of ['views', 'carts', 'purchases']) {
      series[kind].push({ x: start + size / 2, y: row ? row[kind] : 0, start, end: start + size });
    }
  }
  return series;
}

function tooltipContent(tooltip, currency) {
  const items = tooltip.dataPoints ?? [];
  const marker = items.find((item) => item.raw?.change);
  if (marker) {
    const change = marker.raw.change;
    const evidence = evidencePanel(change, currency);
    const priceLine =
      change.action === 'shadow'
        ? `Would set ${money(change.proposedPrice ?? change.newPrice, currency)} (kept ${money(change.oldPrice, currency)})`
        : change.oldPrice === change.newPrice
          ? `Price held at ${money(change.newPrice, currency)}`
          : `${money(change.oldPrice, currency)} → ${money(change.newPrice, currency)} (${percentChange(change.oldPrice, change.newPrice)})`;
    return [
      h('div', { class: 'tip__title' }, `${actionLabel(change.action)} · ${dateTime(change.changedAt)}`),
      h('div', { class: 'tip__price' }, priceLine),
      h(
        'dl',
        { class: 'tip__facts' },
        h('dt', {}, 'Reason'),
        h('dd', { 'data-testid': 'tip-reason' }, change.reasonCode),
        h('dt', {}, 'Guardrail'),
        h('dd', { 'data-testid': 'tip-guardrail' }, change.guardrail ?? 'none'),
        h('dt', {}, 'Source'),
        h('dd', { 'data-testid': 'tip-source' }, change.source),
        h('dt', {}, 'Actor'),
        h('dd', { 'data-testid': 'tip-actor' }, change.actor),
      ),
      h(
        'p',
        // The evidence below says in numbers most of what the explanation says in words: keep it short.
        { class: `tip__explanation${evidence ? ' tip__explanation--short' : ''}`, 'data-testid': 'tip-explanation' },
        change.explanation,
      ),
      evidence,
    ];
  }
  const bars = items.filter((item) => item.raw && 'start' in item.raw && item.raw.y > 0);
  if (bars.length > 0) {
    const { start, end } = bars[0].raw;
    return [
      h('div', { class: 'tip__title' }, `Demand ${shortClock(start)}–${shortClock(end)}`),
      h(
        'dl',
        { class: 'tip__facts' },
        bars.flatMap((item) => [h('dt', {}, item.dataset.label), h('dd', {}, count(item.raw.y))]),
      ),
    ];
  }
  return null;
}

export function createPriceChart(container) {
  const Chart = globalThis.Chart;
  const canvas = h('canvas', { role: 'img', 'aria-label': 'Price and demand chart' });
  const tip = h('div', { class: 'chart-tip', role: 'tooltip', hidden: true, 'data-testid': 'chart-tooltip' });
  const empty = h('p', { class: 'chart-empty', hidden: true }, '');
  const frame = h('div', { class: 'chart-frame' }, canvas, tip, empty);
  container.append(frame);
  let currency = 'EUR';
  let tickStep = MINUTE_MS;

  const external = ({ chart, tooltip }) => {
    if (tooltip.opacity === 0) {
      tip.hidden = true;
      return;
    }
    const content = tooltipContent(tooltip, currency);
    if (content === null) {
      tip.hidden = true;
      return;
    }
    replaceChildren(tip, content);
    tip.hidden = false;
    const { offsetLeft, offsetTop } = chart.canvas;
    const left = offsetLeft + tooltip.caretX;
    const flip = left + tip.offsetWidth + 16 > frame.clientWidth;
    tip.style.left = `${flip ? left - tip.offsetWidth - 12 : left + 12}px`;
    // Centred on the marker, but kept inside the chart while it fits, not over the table below.
    const top = Math.min(offsetTop + tooltip.caretY - tip.offsetHeight / 2, frame.clientHeight - tip.offsetHeight);
    tip.style.top = `${Math.max(0, top)}px`;
  };

  const chart = new Chart(canvas, {
    data: {
      datasets: [
        {
          type: 'line',
          label: 'Price',
          data: [],
          yAxisID: 'y',
          // Each price holds until the next change: across first, then up or down.
          stepped: 'before',
          borderColor: COLORS.price,
          backgroundColor: COLORS.price,
          fill: false,
          borderWidth: 2,
          pointRadius: 0,
          pointHitRadius: 0,
          order: 1,
        },
        {
          type: 'scatter',
          label: 'Changes',
          data: [],
          yAxisID: 'y',
          pointStyle: (ctx) => (ctx.raw?.change ? markerStyle(ctx.raw.change).style : 'circle'),
          pointRadius: (ctx) => (ctx.raw?.change ? markerStyle(ctx.raw.change).radius : 5),
          pointHoverRadius: (ctx) => (ctx.raw?.change ? markerStyle(ctx.raw.change).radius + 2 : 7),
          pointBackgroundColor: (ctx) => {
            const style = ctx.raw?.change ? markerStyle(ctx.raw.change) : { color: COLORS.up, fill: true };
            return style.fill ? style.color : '#ffffff';
          },
          pointBorderColor: (ctx) => (ctx.raw?.change ? markerStyle(ctx.raw.change).color : COLORS.up),
          pointBorderWidth: 2,
          backgroundColor: COLORS.up,
          borderColor: '#ffffff',
          order: 0,
        },
        {
          type: 'bar',
          label: 'Views',
          data: [],
          yAxisID: 'y1',
          backgroundColor: COLORS.views,
          order: 3,
          barPercentage: 0.95,
          categoryPercentage: 0.8,
        },
        {
          type: 'bar',
          label: 'Carts',
          data: [],
          yAxisID: 'y1',
          backgroundColor: COLORS.carts,
          order: 3,
          barPercentage: 0.95,
          categoryPercentage: 0.8,
        },
        {
          type: 'bar',
          label: 'Purchases',
          data: [],
          yAxisID: 'y1',
          backgroundColor: COLORS.purchases,
          order: 3,
          barPercentage: 0.95,
          categoryPercentage: 0.8,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', intersect: true },
      layout: { padding: { top: 8, right: 4 } },
      scales: {
        x: {
          type: 'linear',
          grid: { color: COLORS.grid },
          border: { display: false },
          ticks: {
            color: COLORS.text,
            maxRotation: 0,
            callback: (value) => (tickStep < MINUTE_MS ? clock(value) : shortClock(value)),
          },
          afterBuildTicks: (scale) => {
            const { ticks, step } = timeTicks(scale.min, scale.max);
            tickStep = step;
            scale.ticks = ticks;
          },
        },
        y: {
          position: 'left',
          grace: '12%',
          grid: { color: COLORS.grid },
          border: { display: false },
          title: { display: true, text: 'Price', color: COLORS.text },
          ticks: { color: COLORS.text, callback: (value) => money(Math.round(value), currency) },
        },
        y1: {
          position: 'right',
          beginAtZero: true,
          grid: { drawOnChartArea: false },
          border: { display: false },
          title: { display: true, text: 'Events per window', color: COLORS.text },
          ticks: { color: COLORS.text, precision: 0 },
        },
      },
      plugins: {
        legend: {
          position: 'top',
          align: 'end',
          labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8, color: '#374151', padding: 14 },
        },
        tooltip: {
          enabled: false,
          external,
          filter: (item) => Boolean(item.raw?.change) || (item.raw && 'start' in item.raw && item.raw.y > 0),
        },
      },
    },
  });

  return {
    canvas,
    /**
     * Redraws with the product's current state: `changes` (history rows, any order), `demand`
     * (DemandSeries), `range` ('auto' or a span in ms), `source` ('windows' or 'minutes').
     */
    update({ product, changes, demand, range, source }) {
      currency = product.currency;
      const now = Date.now();
      const { from, to } = rangeOf(range, changes, demand, now);
      const { line, markers } = priceSeries(product, changes, from, now);
      const bars = demandSeries(demand, source, from, now);
      const [price, marks, views, carts, purchases] = chart.data.datasets;
      price.data = line;
      marks.data = markers;
      views.data = bars.views;
      carts.data = bars.carts;
      purchases.data = bars.purchases;
      chart.options.scales.x.min = from;
      chart.options.scales.x.max = to + (to - from) * 0.02;
      const peak = Math.max(1, ...bars.views.map((bar) => bar.y), ...bars.carts.map((bar) => bar.y));
      // Bars keep to the lower half, under the price line.
      chart.options.scales.y1.suggestedMax = peak * 2;
      chart.options.scales.y1.title.text = source === 'minutes' ? 'Events per minute (fast path)' : 'Events per window';
      chart.update('none');

      const windowLabel = `${Math.round(bars.size / 1000)} s ${source === 'minutes' ? 'minutes' : 'windows'}`;
      canvas.setAttribute(
        'aria-label',
        `Price of ${product.productId} from ${shortClock(from)} to ${shortClock(now)}: ${markers.length} changes, now ${money(product.price, product.currency)}; demand bars over ${bars.counted} ${windowLabel}.`,
      );
      empty.hidden = bars.counted > 0;
      empty.textContent =
        source === 'minutes'
          ? 'No fast-path demand counted in this range yet.'
          : 'No rich-path window has closed for this product in this range yet (windows close every minute).';
      Object.assign(frame.dataset, {
        pricePoints: String(line.length),
        markers: String(markers.length),
        demandBars: String(bars.counted),
        from: String(Math.round(from)),
        to: String(Math.round(to)),
      });
    },
    destroy() {
      chart.destroy();
      frame.remove();
    },
  };
}
