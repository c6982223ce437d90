import { readFileSync } from 'node:fs';

/** The feature flags `cdk synth` runs with, so the tests synthesize what the CLI does. */
export const cdkJsonContext: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

/** Context for apps whose bundle no test looks at: esbuild is skipped, the asset is the source dir. */
export const noBundling = { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] };

/** A Glue job's ARN as a template of this account and region has it, given how the job's name resolves there. */
export function glueJobArnIn(jobName: unknown): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':glue:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':job/',
        jobName,
      ],
    ],
  };
}
