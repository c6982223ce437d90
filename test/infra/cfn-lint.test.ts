import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { noBundling } from '../helpers/cdk-context.js';
import { requireGluePython, runsPythonSuites, warnSkipped } from '../helpers/glue-python.js';

/**
 * Every synthesized template checked the way CloudFormation would check it, by cfn-lint (the
 * pinned one of glue/requirements.txt): no error, and no warning but the one CDK writes itself,
 * checked here to be exactly that.
 */
interface Finding {
  readonly Level: string;
  readonly Message: string;
  readonly Filename: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path: readonly (string | number)[] };
}

warnSkipped('cfn-lint');

/**
 * W3005 ("dependency already enforced by a GetAtt") on a resource's DependsOn of its own role: CDK
 * makes a Lambda function and the Glue job depend on their role *construct* (the role and its
 * DefaultPolicy). The policy dependency matters, since the function must not run before its
 * permissions exist; the role one repeats the GetAtt of the role's ARN, which is harmless.
 */
interface TemplateResource {
  readonly DependsOn?: readonly string[];
  readonly Properties?: { readonly Role?: { readonly 'Fn::GetAtt'?: readonly string[] } };
}
type Template = { readonly Resources?: Record<string, TemplateResource> };

function isDependencyOnOwnRole(finding: Finding, templates: Map<string, Template>): boolean {
  if (finding.Rule.Id !== 'W3005') return false;
  const [section, resourceId, key, index] = finding.Location.Path;
  if (section !== 'Resources' || key !== 'DependsOn' || typeof index !== 'number') return false;
  const resource = templates.get(finding.Filename)?.Resources?.[resourceId as string];
  const dependency = resource?.DependsOn?.[index];
  const role = resource?.Properties?.Role;
  return typeof dependency === 'string' && role?.['Fn::GetAtt']?.[0] === dependency;
}

describe.runIf(runsPythonSuites)('cfn-lint over every stack of the app', () => {
  it('finds no error, and no warning beyond CDK’s dependency of a resource on its own role', () => {
    // Prepare
    const { bin } = requireGluePython();
    const assembly = buildApp({ context: noBundling }).app.synth();
    const paths = assembly.stacks.map((stack) => stack.templateFullPath);
    const templates = new Map(paths.map((path) => [path, JSON.parse(readFileSync(path, 'utf8')) as Template]));

    // Act
    const run = spawnSync(`${bin}cfn-lint`, ['--format', 'json', ...paths], { encoding: 'utf8' });

    // Assess
    expect(run.error).toBeUndefined();
    expect(paths).toHaveLength(3);
    const findings = JSON.parse(run.stdout || '[]') as Finding[];
    const unexplained = findings.filter((finding) => !isDependencyOnOwnRole(finding, templates));
    expect(unexplained.map((finding) => `${finding.Rule.Id} ${finding.Message}`)).toEqual([]);
  });
});
