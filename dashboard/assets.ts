/**
 * The ops dashboard's static files: what the dashboard handler serves under /dashboard/{asset},
 * where each comes from in the repo, and its content type. No build step: the page is plain ES
 * modules and CSS; the charting library is Chart.js's UMD build from node_modules. CDK copies these
 * files, flat, beside the dashboard Lambda's bundle; locally the handler reads them in place.
 */
export const dashboardAssets = {
  'index.html': { source: 'dashboard/index.html', contentType: 'text/html; charset=utf-8' },
  'app.js': { source: 'dashboard/app.js', contentType: 'text/javascript; charset=utf-8' },
  // app.js's modules (imported relatively, so they must stay beside it, flat).
  'api.js': { source: 'dashboard/api.js', contentType: 'text/javascript; charset=utf-8' },
  // Also imported by the ops client: how an error answer is read.
  'api-errors.js': { source: 'dashboard/api-errors.js', contentType: 'text/javascript; charset=utf-8' },
  // Also imported by the ops CLI and npm start's feed: how money is written.
  'money.js': { source: 'dashboard/money.js', contentType: 'text/javascript; charset=utf-8' },
  'change-chips.js': { source: 'dashboard/change-chips.js', contentType: 'text/javascript; charset=utf-8' },
  'dialogs.js': { source: 'dashboard/dialogs.js', contentType: 'text/javascript; charset=utf-8' },
  'dom.js': { source: 'dashboard/dom.js', contentType: 'text/javascript; charset=utf-8' },
  'evidence.js': { source: 'dashboard/evidence.js', contentType: 'text/javascript; charset=utf-8' },
  'evidence-block.js': { source: 'dashboard/evidence-block.js', contentType: 'text/javascript; charset=utf-8' },
  'feed.js': { source: 'dashboard/feed.js', contentType: 'text/javascript; charset=utf-8' },
  'format.js': { source: 'dashboard/format.js', contentType: 'text/javascript; charset=utf-8' },
  'price-chart.js': { source: 'dashboard/price-chart.js', contentType: 'text/javascript; charset=utf-8' },
  'product-view.js': { source: 'dashboard/product-view.js', contentType: 'text/javascript; charset=utf-8' },
  'products-view.js': { source: 'dashboard/products-view.js', contentType: 'text/javascript; charset=utf-8' },
  'sparkline.js': { source: 'dashboard/sparkline.js', contentType: 'text/javascript; charset=utf-8' },
  'styles.css': { source: 'dashboard/styles.css', contentType: 'text/css; charset=utf-8' },
  'chart.umd.min.js': {
    source: 'node_modules/chart.js/dist/chart.umd.min.js',
    contentType: 'text/javascript; charset=utf-8',
  },
} as const satisfies Record<string, { source: string; contentType: string }>;

export type DashboardAsset = keyof typeof dashboardAssets;

/** The environment variable that points the handler at the flat copy (set by CDK on Lambda). */
export const DASHBOARD_ASSETS_DIR_ENV = 'DASHBOARD_ASSETS_DIR';
