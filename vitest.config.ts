import { defineConfig } from 'vitest/config';

// The global setup builds SDK clients in this process, and workers inherit its environment.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Every local pipeline a test starts (npm start's too) runs its consumers in Lambda-like execution
// environments that come and go (local/pipeline.ts), so nothing may rely on module state surviving.
process.env.CLICKPRICE_EXECUTION_ENVIRONMENTS ??= 'on';

const shared = { testTimeout: 30_000, hookTimeout: 90_000 };

/**
 * Two groups, one after the other. First the unit, infra and integration suites, two files at a time
 * (on 2 cores Vitest would run one): each keeps to scratch tables and keys of its own on the shared
 * stack, or starts its own. Then the end-to-end suites one at a time: they start whole stacks,
 * browsers and JVMs, and some time a run's seconds (a 3 s `npm start` must send records, a flash sale
 * must be priced within a window or two), which failed for want of a core two files at a time.
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
          include: ['test/{unit,infra,integration}/**/*.test.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
