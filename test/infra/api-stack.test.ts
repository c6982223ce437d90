import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import {
  type ApiSurface,
  apiRoutes,
  apiThrottling,
  OPS_SCOPES,
  type RouteKey,
  routeKeys,
  storefrontCors,
} from '../../definitions/api-routes.js';
import { type TableId, tableEnvVar, tableIds, tables } from '../../definitions/resources.js';
import { DASHBOARD_ASSETS_DIR_ENV, dashboardAssets } from '../../functions/handlers/dashboard-assets.js';
import { OPS_SIGN_IN_CLIENT_ID_ENV, OPS_SIGN_IN_URL_ENV } from '../../functions/handlers/dashboard-sign-in.js';
import { buildApp } from '../../infra/build-app.js';
import { ACCESS_LOG_FIELDS, DEFAULT_STOREFRONT_ORIGIN } from '../../infra/constructs/http-api-defaults.js';
import { ApiStack, DASHBOARD_ASSETS_DIR, dashboardAssetCopy } from '../../infra/stacks/api-stack.js';
import { PipelineStack } from '../../infra/stacks/pipeline-stack.js';
import { StatefulStack } from '../../infra/stacks/stateful-stack.js';
import { cdkJsonContext, glueJobArnIn, noBundling } from '../helpers/cdk-context.js';
import { acknowledgementsUnder } from '../helpers/nag-acknowledgements.js';

const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const STOREFRONT_ORIGIN = 'https://shop.example.com';

// Built once for the whole file: constructing the API stack bundles its three handlers with esbuild.
// Template tests use an app without the nag plugin, so a finding fails the cdk-nag tests below by
// name instead of failing Template.fromStack, and with it every test of this file.
const app = new App({ context: cdkJsonContext });
const stateful = new StatefulStack(app, 'Stateful');
const pipelineStack = new PipelineStack(app, 'Pipeline', { resources: stateful });
const api = new ApiStack(app, 'Api', {
  resources: stateful,
  opsUsers: stateful.opsUsers,
  glueJob: pipelineStack.aggregation,
  fastPath: pipelineStack.clickstream,
  dlqRedrive: pipelineStack.dlqRedrive.function,
  storefrontOrigin: STOREFRONT_ORIGIN,
});
const assembly = app.synth();
const template = Template.fromStack(api);

function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** How the API stack refers to a value of the stateful stack (an import of its export). */
function imported(value: string): unknown {
  return api.resolve(value);
}

const functionIds = {
  storefront: logicalId(api, api.functions.storefront.function),
  ops: logicalId(api, api.functions.ops.function),
  pipeline: logicalId(api, api.functions.pipeline.function),
  dashboard: logicalId(api, api.functions.dashboard.function),
} as const satisfies Record<ApiSurface, string>;
const roleIds = {
  storefront: logicalId(api, api.functions.storefront.role),
  ops: logicalId(api, api.functions.ops.role),
  pipeline: logicalId(api, api.functions.pipeline.role),
  dashboard: logicalId(api, api.functions.dashboard.role),
} as const satisfies Record<ApiSurface, string>;
const authorizerId = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
const peopleClientId = logicalId(api, api.opsClients.people);
const machineClientId = logicalId(api, api.opsClients.machine);

const opsRouteKeys = routeKeys.filter((key) => apiRoutes[key].scope !== null);
const publicRouteKeys = routeKeys.filter((key) => apiRoutes[key].scope === null);

interface Statement {
  readonly actions: readonly string[];
  readonly resources: readonly unknown[];
}

/** Every Allow statement of every policy attached to a role, normalized to arrays. */
function roleStatements(role: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: role }]) },
  });
  return Object.values(policies).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Record<string, unknown>[])
      .filter((statement) => statement.Effect === 'Allow')
      .map((statement) => ({
        actions: [statement.Action].flat() as string[],
        resources: [statement.Resource].flat(),
      })),
  );
}

/** Everything a role may do on one resource, whichever statements grant it. */
function actionsOn(resource: unknown, role: string): string[] {
  const key = JSON.stringify(resource);
  const actions = roleStatements(role)
    .filter((statement) => statement.resources.some((r) => JSON.stringify(r) === key))
    .flatMap((statement) => statement.actions);
  return [...new Set(actions)].sort();
}

function dynamodbActions(role: string): string[] {
  return roleStatements(role).flatMap((s) => s.actions.filter((a) => a.startsWith('dynamodb:') || a === '*'));
}

function routeProperties(key: RouteKey): Record<string, unknown> {
  const found = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: key } }));
  expect(found).toHaveLength(1);
  return found[0]?.Properties;
}

describe('ApiStack routes', () => {
  it('has exactly the routes of the route table, each once', () => {
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);

    expect([...keys].sort()).toEqual([...routeKeys].sort());
  });

  it('has at least one ops route for each scope, so the checks below cover reading and writing', () => {
    const scopes = new Set(opsRouteKeys.map((key) => apiRoutes[key].scope));

    expect([...scopes].sort()).toEqual(Object.values(OPS_SCOPES).sort());
  });

  it.each(opsRouteKeys)('ops route %s needs a JWT from the ops authorizer carrying its scope', (key) => {
    expect(routeProperties(key)).toMatchObject({
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: authorizerId },
      AuthorizationScopes: [apiRoutes[key].scope],
    });
  });

  it('has no ops route that is public or lacks a scope', () => {
    for (const key of routeKeys.filter((k) => apiRoutes[k].surface === 'ops')) {
      expect(routeProperties(key).AuthorizationType, key).toBe('JWT');
      expect(routeProperties(key).AuthorizationScopes, key).toHaveLength(1);
    }
  });

  it.each(publicRouteKeys)('route %s of the storefront or the dashboard is public', (key) => {
    expect(['storefront', 'dashboard']).toContain(apiRoutes[key].surface);
    const properties = routeProperties(key);

    expect(properties.AuthorizationType).toBe('NONE');
    expect(properties.AuthorizerId).toBeUndefined();
    expect(properties.AuthorizationScopes).toBeUndefined();
  });

  it.each(routeKeys)('route %s invokes the function of its surface with payload format 2.0', (key) => {
    const target = routeProperties(key).Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
    const integrationId = target['Fn::Join'][1][1].Ref;
    const integration = template.findResources('AWS::ApiGatewayV2::Integration')[integrationId];

    expect(integration?.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [functionIds[apiRoutes[key].surface], 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
  });

  it('lets API Gateway invoke each function only through the routes of its surface', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties);

    for (const key of routeKeys) {
      const path = key.slice(key.indexOf(' ') + 1);
      const matching = permissions.filter(
        (p) =>
          p.Principal === 'apigateway.amazonaws.com' &&
          p.SourceArn['Fn::Join'][1].at(-1) === `/*/*${path}` &&
          JSON.stringify(p.FunctionName) ===
            JSON.stringify({ 'Fn::GetAtt': [functionIds[apiRoutes[key].surface], 'Arn'] }),
      );
      expect(matching.length, key).toBeGreaterThan(0);
    }
    expect(permissions).toHaveLength(routeKeys.length);
  });
});

describe('ApiStack JWT authorizer and app clients', () => {
  const userPoolId = imported(stateful.opsUsers.userPool.userPoolId);

  it('has one JWT authorizer, whose issuer is the ops user pool and audience its two app clients', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', userPoolId]] },
        Audience: [{ Ref: peopleClientId }, { Ref: machineClientId }],
      },
    });
  });

  it('lets ops people sign in with the authorization code grant on a public client, back to the dashboard', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: userPoolId,
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: [
        'openid',
        api.resolve(stateful.opsUsers.scopes[OPS_SCOPES.read].scopeName),
        api.resolve(stateful.opsUsers.scopes[OPS_SCOPES.write].scopeName),
      ],
      CallbackURLs: [api.resolve(api.dashboardUrl)],
      // Signing out of the dashboard lands back on it.
      LogoutURLs: [api.resolve(api.dashboardUrl)],
      EnableTokenRevocation: true,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it('lets automation get tokens with the client credentials grant and a secret', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: userPoolId,
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: [
        api.resolve(stateful.opsUsers.scopes[OPS_SCOPES.read].scopeName),
        api.resolve(stateful.opsUsers.scopes[OPS_SCOPES.write].scopeName),
      ],
      CallbackURLs: Match.absent(),
    });
  });

  it.each(Object.values(OPS_SCOPES))('grants the clients scope %s as the routes name it', (scope) => {
    // A resource server's Ref is its identifier: the client's scope is `<identifier>/<name>` at deploy.
    const [identifier, name] = scope.split('/');

    Template.fromStack(stateful).hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: identifier,
      Scopes: Match.arrayWith([Match.objectLike({ ScopeName: name })]),
    });
    expect(api.resolve(stateful.opsUsers.scopes[scope].scopeName)).toEqual({
      'Fn::Join': ['', [imported(stateful.opsUsers.resourceServer.userPoolResourceServerId), `/${name}`]],
    });
  });
});

describe('ApiStack stage', () => {
  const stageProperties = () => Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]?.Properties;

  it('has only the $default stage, deployed automatically', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    expect(stageProperties()).toMatchObject({ StageName: '$default', AutoDeploy: true });
  });

  it('throttles every route by the route table’s apiThrottling', () => {
    expect(stageProperties().DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: apiThrottling.rateLimit,
      ThrottlingBurstLimit: apiThrottling.burstLimit,
    });
  });

  it('writes a JSON access log line with request id, route, status, latency and integration and authorizer errors', () => {
    const settings = stageProperties().AccessLogSettings;
    const format = JSON.parse(settings.Format);

    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalId(api, api.httpApi.accessLogs), 'Arn'] });
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLatency: '$context.responseLatency',
      integrationError: '$context.integrationErrorMessage',
      authorizerError: '$context.authorizer.error',
    });
  });

  it('keeps access logs a month, encrypted with a rotating key of their own', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 30,
      KmsKeyId: { 'Fn::GetAtt': [logicalId(api, api.httpApi.accessLogKey), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('lets CloudWatch Logs use the key only for this account’s log groups', () => {
    const key = template.findResources('AWS::KMS::Key')[logicalId(api, api.httpApi.accessLogKey)];
    const statements: Record<string, unknown>[] = key?.Properties.KeyPolicy.Statement ?? [];
    const forLogs = statements.filter((s) => JSON.stringify(s.Principal).includes('logs.'));

    expect(forLogs).toHaveLength(1);
    expect(forLogs[0]?.Condition).toEqual({
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': expect.objectContaining({ 'Fn::Join': expect.anything() }) },
    });
  });

  it('alarms when the API keeps answering 5xx', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(api, api.httpApi.api) } }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      AlarmActions: Match.absent(),
    });
  });
});

describe('ApiStack CORS', () => {
  it('answers preflights for the storefront origin alone, GET with the storefront headers', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: [STOREFRONT_ORIGIN],
        AllowMethods: [...storefrontCors.allowMethods],
        AllowHeaders: [...storefrontCors.allowHeaders],
        ExposeHeaders: [...storefrontCors.exposeHeaders],
        MaxAge: storefrontCors.maxAgeSeconds,
        AllowCredentials: Match.absent(),
      },
    });
  });

  it('does not allow the authorization header cross-origin, so no other origin page can call the ops routes', () => {
    expect(storefrontCors.allowHeaders.map((h) => h.toLowerCase())).not.toContain('authorization');
  });

  it('takes the origin from context storefrontOrigin, defaulting to a local storefront', () => {
    const origins = (context: Record<string, unknown>) =>
      Template.fromStack(buildApp({ context: { ...noBundling, ...context } }).api).findResources(
        'AWS::ApiGatewayV2::Api',
      );
    const allowed = (resources: ReturnType<typeof origins>) =>
      Object.values(resources)[0]?.Properties.CorsConfiguration.AllowOrigins;

    expect(allowed(origins({}))).toEqual([DEFAULT_STOREFRONT_ORIGIN]);
    expect(allowed(origins({ storefrontOrigin: 'https://shop.example.org' }))).toEqual(['https://shop.example.org']);
    expect(allowed(origins({ stage: 'prod', storefrontOrigin: 'https://shop.example.org' }))).toEqual([
      'https://shop.example.org',
    ]);
  });

  it('refuses to synth a stage other than dev without its storefront origin, saying which context to pass', () => {
    expect(() => buildApp({ context: { ...noBundling, stage: 'prod' } })).toThrow(
      /Stage "prod" needs its storefront's origin for CORS: pass -c storefrontOrigin=/,
    );
  });

  it.each([
    '*',
    'https://shop.example.com/',
    'https://shop.example.com/prices',
    'http://shop.example.com',
    'shop.example.com',
  ])('rejects %s as a storefront origin', (origin) => {
    expect(() => buildApp({ context: { ...noBundling, storefrontOrigin: origin } })).toThrow(/storefrontOrigin/);
  });
});

describe('ApiStack functions', () => {
  const functionProperties = (surface: ApiSurface) =>
    template.findResources('AWS::Lambda::Function')[functionIds[surface]]?.Properties;

  it.each(['storefront', 'ops', 'pipeline'] as const)('%s finds every table by environment variable', (surface) => {
    const variables = functionProperties(surface).Environment.Variables;

    for (const id of tableIds) {
      expect(variables[tableEnvVar(tables[id])]).toEqual(imported(stateful.tables[id].tableName));
    }
  });

  it('points the dashboard at its files beside the bundle, and gives it no table name', () => {
    const variables = functionProperties('dashboard').Environment.Variables;

    expect(variables[DASHBOARD_ASSETS_DIR_ENV]).toBe('/var/task/dashboard');
    expect(DASHBOARD_ASSETS_DIR).toBe('/var/task/dashboard');
    expect(Object.keys(variables).filter((name) => name.startsWith('TABLE_'))).toEqual([]);
  });

  it('tells the dashboard where people sign in: the ops user pool domain and the people client (PKCE)', () => {
    const variables = functionProperties('dashboard').Environment.Variables;

    expect(variables[OPS_SIGN_IN_URL_ENV]).toEqual(imported(stateful.opsUsers.domain.baseUrl()));
    expect(variables[OPS_SIGN_IN_CLIENT_ID_ENV]).toEqual({ Ref: peopleClientId });
  });

  it.each(['storefront', 'ops', 'dashboard'] as const)(
    '%s times out before API Gateway gives up on it (30 s)',
    (surface) => {
      expect(functionProperties(surface).Timeout).toBeLessThan(30);
    },
  );

  it('copies every dashboard file flat into dashboard/ of the dashboard bundle', () => {
    const manifest = JSON.parse(readFileSync(join(assembly.directory, `${api.artifactId}.assets.json`), 'utf8'));
    const s3Key = String(functionProperties('dashboard').Code.S3Key);
    const bundleDir = join(assembly.directory, manifest.files[s3Key.replace(/\.zip$/, '')].source.path);

    expect(readdirSync(join(bundleDir, 'dashboard')).sort()).toEqual(Object.keys(dashboardAssets).sort());
    for (const [name, asset] of Object.entries(dashboardAssets)) {
      expect(readFileSync(join(bundleDir, 'dashboard', name)), name).toEqual(
        readFileSync(join(REPO_ROOT, asset.source)),
      );
    }
    expect(existsSync(join(bundleDir, 'index.mjs'))).toBe(true);
  });

  it('fails synth on a dashboard file that does not exist', () => {
    expect(() => dashboardAssetCopy({ 'gone.js': { source: 'dashboard/gone.js' } })).toThrow(
      /dashboard lists files that do not exist: dashboard\/gone\.js/,
    );
  });
});

describe('ApiStack table access (least privilege)', () => {
  const tableArn = (id: TableId) => imported(stateful.tables[id].tableArn);

  it('lets the storefront only GetItem and BatchGetItem the products table', () => {
    expect(actionsOn(tableArn('products'), roleIds.storefront)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
  });

  it('gives the storefront no DynamoDB action on anything but the products table', () => {
    const productsArn = JSON.stringify(tableArn('products'));
    const dynamoStatements = roleStatements(roleIds.storefront).filter((s) =>
      s.actions.some((a) => a.startsWith('dynamodb:') || a === '*'),
    );

    expect(dynamoStatements.length).toBeGreaterThan(0);
    for (const statement of dynamoStatements) {
      expect(statement.resources.map((r) => JSON.stringify(r))).toEqual([productsArn]);
    }
    expect(dynamodbActions(roleIds.storefront).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
  });

  it.each(tableIds.filter((id) => id !== 'products'))('gives the storefront nothing on table %s', (id) => {
    expect(actionsOn(tableArn(id), roleIds.storefront)).toEqual([]);
  });

  it('gives the dashboard no DynamoDB action at all', () => {
    expect(dynamodbActions(roleIds.dashboard)).toEqual([]);
  });

  // What the ops handler's stores do: see OPS_TABLE_ACCESS for each action's caller.
  const opsExpected: Record<TableId, string[]> = {
    products: ['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
    priceHistory: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
    demand: ['dynamodb:Query'],
    aggregates: ['dynamodb:Query'],
    quarantine: ['dynamodb:Query'],
    sessionLog: [],
    pricingConfig: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    orders: [],
  };

  it.each(tableIds)('grants the ops API exactly what its stores use on table %s', (id) => {
    expect(actionsOn(tableArn(id), roleIds.ops)).toEqual(opsExpected[id]);
  });

  it('lets the ops API query the change feed index of price history, and no other index', () => {
    const index = { 'Fn::Join': ['', [tableArn('priceHistory'), '/index/byChangeHour']] };
    const indexResources = roleStatements(roleIds.ops)
      .flatMap((s) => s.resources)
      .filter((r) => JSON.stringify(r).includes('/index/'));

    expect(actionsOn(index, roleIds.ops)).toContain('dynamodb:Query');
    expect(indexResources).toEqual([index]);
  });

  it('gives the ops API no DynamoDB wildcard, delete or batch write', () => {
    const actions = dynamodbActions(roleIds.ops);

    expect(actions.filter((a) => a.includes('*') || /Delete|BatchWrite/.test(a))).toEqual([]);
  });

  // What the pipeline API's stores do: see PIPELINE_TABLE_ACCESS.
  const pipelineExpected: Record<TableId, string[]> = {
    products: [],
    priceHistory: ['dynamodb:PutItem'],
    demand: [],
    aggregates: [],
    quarantine: ['dynamodb:Query'],
    sessionLog: [],
    pricingConfig: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    orders: [],
  };

  it('lets the pipeline API read the fast path’s mapping by its ARN and metrics, and invoke the redrive function, nothing else of Lambda or CloudWatch', () => {
    const mappingArn = imported(pipelineStack.clickstream.mapping.eventSourceMappingArn);
    const redriveArn = imported(pipelineStack.dlqRedrive.function.functionArn);
    const actions = roleStatements(roleIds.pipeline).flatMap((s) =>
      s.actions.filter((a) => a.startsWith('lambda:') || a.startsWith('cloudwatch:')).map((a) => [a, s.resources]),
    );

    // GetMetricData on "*" shares its statement with X-Ray's (the wildcard test below).
    expect(actions).toEqual([
      ['cloudwatch:GetMetricData', ['*']],
      ['lambda:GetEventSourceMapping', [mappingArn]],
      ['lambda:InvokeFunction', [redriveArn]],
    ]);
    for (const surface of ['storefront', 'ops', 'dashboard'] as const) {
      expect(JSON.stringify(roleStatements(roleIds[surface]))).not.toMatch(
        /GetEventSourceMapping|GetMetricData|lambda:/,
      );
    }
  });

  it('names the fast path’s function, mapping and dead-letter queue to the pipeline API', () => {
    const env = template.findResources('AWS::Lambda::Function')[functionIds.pipeline]?.Properties.Environment.Variables;

    expect(env).toMatchObject({
      FAST_PATH_FUNCTION_NAME: imported(pipelineStack.clickstream.function.functionName),
      FAST_PATH_DLQ_NAME: imported(pipelineStack.clickstream.deadLetterQueue.queueName),
      FAST_PATH_MAPPING_UUID: imported(pipelineStack.clickstream.mapping.eventSourceMappingId),
      DLQ_REDRIVE_FUNCTION_NAME: imported(pipelineStack.dlqRedrive.function.functionName),
    });
  });

  it.each(tableIds)('grants the pipeline API exactly what its stores use on table %s', (id) => {
    expect(actionsOn(tableArn(id), roleIds.pipeline)).toEqual(pipelineExpected[id]);
  });

  it('lets the pipeline API report, stop and start runs of the rich path Glue job, and of no other job', () => {
    const jobArn = glueJobArnIn(imported(pipelineStack.aggregation.job.ref));
    const glueStatements = roleStatements(roleIds.pipeline).filter((s) => s.actions.some((a) => a.startsWith('glue:')));

    expect(glueStatements).toEqual([
      { actions: ['glue:BatchStopJobRun', 'glue:GetJobRuns', 'glue:StartJobRun'], resources: [jobArn] },
    ]);
    for (const surface of ['storefront', 'ops', 'dashboard'] as const) {
      expect(JSON.stringify(roleStatements(roleIds[surface]))).not.toContain('glue:');
    }
  });

  // GetMetricData, like X-Ray's actions, has no resource-level permissions: the pipeline API's metrics.
  it.each([
    ['storefront', []],
    ['ops', []],
    ['pipeline', ['cloudwatch:GetMetricData']],
    ['dashboard', []],
  ] as const)('%s has a wildcard resource only for X-Ray and %j', (surface, others) => {
    const wildcards = roleStatements(roleIds[surface]).filter((s) =>
      s.resources.some((r) => JSON.stringify(r).includes('*')),
    );

    expect(wildcards).toEqual([
      { actions: [...others, 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resources: ['*'] },
    ]);
  });
});

describe('ApiStack outputs', () => {
  it('outputs the API and dashboard URLs and both client ids', () => {
    const stageUrl = api.resolve(api.httpApi.url);

    template.hasOutput('ApiUrl', { Value: stageUrl });
    template.hasOutput('DashboardUrl', { Value: api.resolve(api.dashboardUrl) });
    template.hasOutput('OpsPeopleClientId', { Value: { Ref: peopleClientId } });
    template.hasOutput('OpsMachineClientId', { Value: { Ref: machineClientId } });
    expect(JSON.stringify(api.resolve(api.dashboardUrl))).toContain('/dashboard');
  });
});

describe('cdk-nag AwsSolutions checks of the api stack', () => {
  it('fails synth on a route without authorization that the route table does not make public', () => {
    const { app: nagged, api: stack } = buildApp({ context: noBundling });
    new apigwv2.HttpRoute(stack, 'Unlisted', {
      httpApi: stack.httpApi.api,
      routeKey: apigwv2.HttpRouteKey.with('/ops/unlisted', apigwv2.HttpMethod.GET),
      integration: new HttpLambdaIntegration('Unlisted', stack.functions.ops.function),
    });

    expect(() => nagged.synth()).toThrow(/AwsSolutions-APIG4/);
  });

  it('acknowledges APIG4 on exactly the public routes of the route table, and the X-Ray wildcard on each role', () => {
    const { api: stack } = buildApp({ context: noBundling });
    const acknowledgements = acknowledgementsUnder(stack);

    const publicRoutes = acknowledgements.filter((a) => a.id === 'AwsSolutions-APIG4');
    expect(publicRoutes.map((a) => a.path).sort()).toEqual(
      publicRouteKeys.map((key) => stack.httpApi.routes[key].node.path).sort(),
    );
    for (const acknowledgement of publicRoutes) {
      expect(acknowledgement.reason).toMatch(/^Public by design/);
    }
    expect(acknowledgements.filter((a) => a.id !== 'AwsSolutions-APIG4')).toEqual(
      (['storefront', 'ops', 'pipeline', 'dashboard'] as const).map((surface) => ({
        path: stack.functions[surface].role.node.path,
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: expect.stringMatching(/xray:PutTraceSegments.*resource-level/s),
      })),
    );
  });
});
