/**
 * The ops dashboard's static files: what the dashboard handler serves under /dashboard/{asset},
 * where each comes from in the repo, and its content type. No build step: the page is plain ES
 * modules and CSS; the charting library is Chart.js's UMD build from node_modules. CDK copies these
 * files, flat, beside the dashboard Lambda's bundle; locally the handler reads them in place.
 *
 * The list is derived, not kept by hand: every .html, .js and .css file of dashboard/ (in the repo,
 * or in the flat copy on Lambda), and the charting library.
 */
import { readdirSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment variable that points the handler at the flat copy (set by CDK on Lambda). */
export const DASHBOARD_ASSETS_DIR_ENV = 'DASHBOARD_ASSETS_DIR';

export interface DashboardAssetFile {
  /** Where the file is in the repo (on Lambda, where it was copied from). */
  readonly source: string;
  readonly contentType: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The one file that does not live in dashboard/. */
const CHART_LIBRARY = { name: 'chart.umd.min.js', source: 'node_modules/chart.js/dist/chart.umd.min.js' } as const;

/** The files of `dir` the page is made of, by name, each with its source under `sourceDir`. */
export function pageFilesIn(dir: string, sourceDir: string): Record<string, DashboardAssetFile> {
  const files: Record<string, DashboardAssetFile> = {};
  for (const name of readdirSync(dir).sort()) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType !== undefined) files[name] = { source: `${sourceDir}/${name}`, contentType };
  }
  return files;
}

function repoAssets(): Record<string, DashboardAssetFile> {
  const dashboardDir = fileURLToPath(new URL('../../dashboard/', import.meta.url));
  return {
    ...pageFilesIn(dashboardDir, 'dashboard'),
    [CHART_LIBRARY.name]: { source: CHART_LIBRARY.source, contentType: CONTENT_TYPES['.js'] as string },
  };
}

function flatCopyAssets(flatDir: string): Record<string, DashboardAssetFile> {
  const files = pageFilesIn(flatDir, 'dashboard');
  const chart = files[CHART_LIBRARY.name];
  if (chart !== undefined) files[CHART_LIBRARY.name] = { ...chart, source: CHART_LIBRARY.source };
  return files;
}

export const dashboardAssets: Readonly<Record<string, DashboardAssetFile>> = (() => {
  const flatDir = process.env[DASHBOARD_ASSETS_DIR_ENV];
  return flatDir ? flatCopyAssets(flatDir) : repoAssets();
})();

export type DashboardAsset = string;
