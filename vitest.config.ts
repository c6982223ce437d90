import { defineConfig } from 'vitest/config';

// The global setup builds SDK clients in this process, and workers inherit its environment.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Every local pipeline a test starts (npm start's too) runs its consumers in Lambda-like execution
// environments that come and go (local/pipeline.ts), so nothing may rely on module state surviving.
process.env.CLICKPRICE_EXECUTION_ENVIRONMENTS ??= 'on';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One local stack (DynamoDB Local + kinesalite) for every integration suite; see the file.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
