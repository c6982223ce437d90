import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp, DEFAULT_STAGE } from '../../infra/build-app.js';
import { noBundling } from '../helpers/cdk-context.js';

/** The app `cdk synth` builds: its stacks, their order, and cdk-nag over all of them at once. */
const built = buildApp({ context: noBundling });

describe('buildApp', () => {
  it.each(['pipeline', 'api'] as const)(
    'names the %s stack after the stage and deploys it after the stateful stack',
    (id) => {
      built.app.synth();

      expect(built[id].stackName).toBe(`clickprice-${DEFAULT_STAGE}-${id}`);
      expect(built[id].dependencies).toContain(built.stateful);
    },
  );

  it.each(['stateful', 'pipeline', 'api'] as const)(
    'builds the %s stack env-agnostic, so synth needs no AWS account or region',
    (id) => {
      expect(built[id].environment).toBe('aws://unknown-account/unknown-region');
    },
  );
});

describe('cdk-nag AwsSolutions checks of the whole app', () => {
  it('finds no unacknowledged error or warning in any stack', () => {
    // Without bundling: no rule looks inside a bundle, and the stack tests cover the bundles.
    const { app: nagged } = buildApp({ context: noBundling });

    const report = new AwsSolutionsChecks().validateScope(nagged);

    expect(report.violations).toEqual([]);
    expect(() => nagged.synth()).not.toThrow();
  });
});
