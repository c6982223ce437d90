import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardAssets, pageFilesIn } from '../../../functions/handlers/dashboard-assets.js';

describe('the dashboard’s file list', () => {
  it('is every page file of a folder (html, js, css), typed by extension, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    for (const name of ['index.html', 'app.js', 'styles.css', 'app.d.ts', 'assets.ts', 'notes.md']) {
      writeFileSync(join(dir, name), '');
    }

    expect(pageFilesIn(dir, 'dashboard')).toEqual({
      'app.js': { source: 'dashboard/app.js', contentType: 'text/javascript; charset=utf-8' },
      'index.html': { source: 'dashboard/index.html', contentType: 'text/html; charset=utf-8' },
      'styles.css': { source: 'dashboard/styles.css', contentType: 'text/css; charset=utf-8' },
    });
  });

  it('holds the page, its modules and the charting library from node_modules', () => {
    expect(dashboardAssets).toMatchObject({
      'index.html': { source: 'dashboard/index.html' },
      'app.js': { source: 'dashboard/app.js' },
      'money.js': { source: 'dashboard/money.js' },
      'chart.umd.min.js': { source: 'node_modules/chart.js/dist/chart.umd.min.js' },
    });
    expect(Object.keys(dashboardAssets).filter((name) => name.endsWith('.ts'))).toEqual([]);
  });
});
