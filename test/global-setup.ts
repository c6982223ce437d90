import type { TestProject } from 'vitest/node';
import { type LocalStackInfo, startLocalStack } from '../local/local-stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: LocalStackInfo;
  }
}

/**
 * Starts ONE local stack for the whole run (real DynamoDB Local and kinesalite, not mocks) and stops
 * it afterwards. Suites reach it through `useLocalStack()` in test/helpers/local-stack.ts.
 */
export default async function setup(project: TestProject) {
  const stack = await startLocalStack();
  const { endpoints, region, tableNames, streamName, dataDir, spillDir } = stack;
  project.provide('localStack', { endpoints, region, tableNames, streamName, dataDir, spillDir });
  return async () => {
    await stack.stop();
  };
}
