import { s } from './dom.js';
import { money } from './format.js';

const WIDTH = 120;
const HEIGHT = 28;
const PAD = 3;

/** The API's sparkline holds at most this many price rows (functions/domain/api-types.ts). */
const SPARKLINE_ROWS = 20;

/**
 * A price sparkline as inline SVG: a stepped line through `[changedAt, price]` points (oldest first),
 * held to now at the current price, with the last point marked. Rising ends green, falling red. With
 * fewer rows than the API keeps, they are the product's whole history: the line starts at base price.
 */
export function sparkline(points, currentPrice, currency, basePrice, now = Date.now()) {
  const series = points.map(([at, price]) => [Date.parse(at), price]).filter(([at]) => Number.isFinite(at));
  if (series.length > 0 && series.length < SPARKLINE_ROWS) {
    const span = now - series[0][0];
    series.unshift([series[0][0] - Math.max(60_000, span * 0.15), basePrice]);
  }
  if (series.length === 0 || series.at(-1)[1] !== currentPrice) series.push([now, currentPrice]);
  else series.push([Math.max(now, series.at(-1)[0]), currentPrice]);
  if (series.length === 1) series.unshift([now - 60_000, currentPrice]);

  const times = series.map(([at]) => at);
  const prices = series.map(([, price]) => price);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const [p0, p1] = [Math.min(...prices), Math.max(...prices)];
  const x = (at) => PAD + ((at - t0) / Math.max(1, t1 - t0)) * (WIDTH - 2 * PAD);
  const y = (price) => (p1 === p0 ? HEIGHT / 2 : PAD + ((p1 - price) / (p1 - p0)) * (HEIGHT - 2 * PAD));

  let path = `M${x(series[0][0]).toFixed(1)},${y(series[0][1]).toFixed(1)}`;
  for (let i = 1; i < series.length; i++) {
    path += `H${x(series[i][0]).toFixed(1)}V${y(series[i][1]).toFixed(1)}`;
  }
  const first = prices[0];
  const trend = currentPrice > first ? 'up' : currentPrice < first ? 'down' : 'flat';
  const label =
    trend === 'flat'
      ? `Price ${money(currentPrice, currency)}, unchanged`
      : `Price ${trend === 'up' ? 'rose' : 'fell'} from ${money(first, currency)} to ${money(currentPrice, currency)}`;

  return s(
    'svg',
    {
      class: `sparkline sparkline--${trend}`,
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      width: WIDTH,
      height: HEIGHT,
      role: 'img',
      'aria-label': label,
      'data-testid': 'sparkline',
      dataset: { points: points.length },
    },
    s('title', {}, label),
    s('path', { d: path, class: 'sparkline__line', fill: 'none' }),
    s('circle', {
      cx: x(series.at(-1)[0]).toFixed(1),
      cy: y(currentPrice).toFixed(1),
      r: 2.5,
      class: 'sparkline__dot',
    }),
  );
}
