import { defineConfig } from 'vitest/config';

// The global setup builds SDK clients in this process, and workers inherit its environment.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Every local pipeline a test starts (npm start's too) runs its consumers in Lambda-like execution
// environments that come and go (local/pipeline.ts), so nothing may rely on module state surviving.
process.env.CLICKPRICE_EXECUTION_ENVIRONMENTS ??= 'on';

const shared = { testTimeout: 30_000, hookTimeout: 90_000 };

/**
 * Suites that time a run's seconds: a 3 s `npm start` must send records, a flash sale must be priced
 * within a window or two. Run two files at a time on 2 cores, each failed for want of its core.
 */
const timed = ['test/e2e/npm-start.test.ts', 'test/e2e/ops-dashboard.browser.test.ts'];

/**
 * Two groups, one after the other. First every other suite, two files at a time (on 2 cores Vitest
 * would run one): each keeps to scratch tables and keys of its own on the shared stack, or starts
 * its own, and counts records, not seconds. Then the timed suites, one at a time.
 */
export default defineConfig({
  test: {
    // One local stack (DynamoDB Local + kinesalite) for every integration suite; see the file. Set
    // here, not in the projects: each would start a stack of its own.
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        test: {
          ...shared,
          name: 'suites',
          include: ['test/**/*.test.ts'],
          exclude: timed,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'timed',
          include: timed,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
