import { App, type CfnElement, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { OPS_GROUPS, OPS_SCOPES } from '../../definitions/api-routes.js';
import {
  clicksStream,
  type KeyAttribute,
  STREAM_ENV_VAR,
  type TableDefinition,
  type TableId,
  tableEnvVar,
  tableIds,
  tables,
} from '../../definitions/resources.js';
import { buildApp, DEFAULT_STAGE } from '../../infra/build-app.js';
import { resourceEnvironment, StatefulStack } from '../../infra/stacks/stateful-stack.js';
import { cdkJsonContext, noBundling } from '../helpers/cdk-context.js';
import { acknowledgementsUnder } from '../helpers/nag-acknowledgements.js';

/** The whole app, without bundling its functions: nothing here looks inside a Lambda bundle. */
/** The app with these context values; a stage other than dev also gets the storefront origin it needs. */
function buildTestApp(context: Record<string, unknown> = {}) {
  return buildApp({ context: { ...noBundling, storefrontOrigin: 'https://shop.example.com', ...context } });
}

// Template tests use a stack without the nag plugin, so a finding fails the cdk-nag tests below by
// name instead of failing Template.fromStack, and with it every test of this file.
const stateful = new StatefulStack(new App({ context: cdkJsonContext }), 'Stateful');
const template = Template.fromStack(stateful);
const catalogueTables: TableDefinition[] = tableIds.map((id) => tables[id]);

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute) {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' }] : []),
  ];
}

/** Table keys first, then index keys, each attribute once: the order CloudFormation gets them in. */
function attributeDefinitions(table: TableDefinition) {
  const keys = [table.partitionKey, table.sortKey, ...table.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  const byName = new Map<string, KeyAttribute>();
  for (const key of keys) {
    if (key && !byName.has(key.name)) byName.set(key.name, key);
  }
  return [...byName.values()].map((key) => ({ AttributeName: key.name, AttributeType: key.type }));
}

/** Asserts properties of the one table whose key schema is the catalogue entry's. */
function expectTable(table: TableDefinition, properties: Record<string, unknown>) {
  template.hasResourceProperties('AWS::DynamoDB::Table', {
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    ...properties,
  });
}

function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as dynamodb.CfnTable);
}

describe('StatefulStack tables', () => {
  it('gives every catalogue table a distinct key schema, so each per-table assertion below picks out one table', () => {
    const schemas = catalogueTables.map((t) => JSON.stringify(keySchema(t.partitionKey, t.sortKey)));

    expect(new Set(schemas).size).toBe(catalogueTables.length);
  });

  describe.each(catalogueTables)('table $id', (table) => {
    it('has the catalogue partition and sort key, with one attribute definition per key attribute', () => {
      expectTable(table, { AttributeDefinitions: attributeDefinitions(table) });
    });

    it('has exactly the catalogue global secondary indexes, each projecting ALL', () => {
      expectTable(table, {
        GlobalSecondaryIndexes:
          table.globalIndexes.length === 0
            ? Match.absent()
            : table.globalIndexes.map((index) => ({
                IndexName: index.indexName,
                KeySchema: keySchema(index.partitionKey, index.sortKey),
                Projection: { ProjectionType: index.projection },
              })),
      });
    });

    it('emits a DynamoDB stream of the catalogue view type if the catalogue names one, and none otherwise', () => {
      expectTable(table, {
        StreamSpecification: table.stream ? { StreamViewType: table.stream } : Match.absent(),
      });
    });

    it('expires items by the catalogue TTL attribute if it names one, and has no TTL otherwise', () => {
      expectTable(table, {
        TimeToLiveSpecification: table.ttl ? { AttributeName: table.ttl.attribute, Enabled: true } : Match.absent(),
      });
    });

    it('bills on demand and keeps point-in-time recovery', () => {
      expectTable(table, {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        ProvisionedThroughput: Match.absent(),
      });
    });

    it('is retained with deletion protection and lets CloudFormation name it', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: Match.objectLike({
          KeySchema: keySchema(table.partitionKey, table.sortKey),
          DeletionProtectionEnabled: true,
          TableName: Match.absent(),
        }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    it('is exposed under its table id and outputs its name', () => {
      const id = logicalId(stateful, stateful.tables[table.id as TableId]);

      template.hasOutput(`${table.id}TableName`, { Value: { Ref: id } });
    });
  });
});

describe('StatefulStack clicks stream', () => {
  it('has the catalogue shard count and retention, and lets CloudFormation name it', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: clicksStream.shardCount,
      RetentionPeriodHours: clicksStream.retentionHours,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      Name: Match.absent(),
    });
  });

  it('takes its capacity from context: a shard count, or on-demand mode', () => {
    const streamOf = (context: Record<string, unknown>) =>
      Template.fromStack(buildApp({ context: { ...noBundling, ...context } }).stateful).findResources(
        'AWS::Kinesis::Stream',
      );
    const [sharded] = Object.values(streamOf({ streamShards: '6' }));
    const [onDemand] = Object.values(streamOf({ streamMode: 'on-demand' }));

    expect(sharded?.Properties).toMatchObject({ ShardCount: 6, StreamModeDetails: { StreamMode: 'PROVISIONED' } });
    expect(onDemand?.Properties.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
    expect(onDemand?.Properties.ShardCount).toBeUndefined();
    expect(() => buildApp({ context: { ...noBundling, streamShards: '0' } })).toThrow(/streamShards.*1 to 500/);
    expect(() => buildApp({ context: { ...noBundling, streamMode: 'provisioned' } })).toThrow(/streamMode.*on-demand/);
    expect(() => buildApp({ context: { ...noBundling, streamShards: 4, streamMode: 'on-demand' } })).toThrow(
      /exclude each other/,
    );
  });

  it('is encrypted with the customer-managed key of the stack', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamEncryption: {
        EncryptionType: 'KMS',
        KeyId: { 'Fn::GetAtt': [stateful.getLogicalId(stateful.streamKey.node.defaultChild as kms.CfnKey), 'Arn'] },
      },
    });
  });

  it('uses a key with automatic rotation, retained with the stream', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Retain' });
  });
});

describe('StatefulStack dataRemovalPolicy', () => {
  it('deletes tables, stream and key and drops deletion protection when a dev stack asks for DESTROY', () => {
    const dev = Template.fromStack(new StatefulStack(new App(), 'Dev', { dataRemovalPolicy: RemovalPolicy.DESTROY }));

    dev.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      DeletionPolicy: 'Delete',
    });
    expect(dev.findResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' })).toEqual({});
    expect(dev.findResources('AWS::DynamoDB::Table', { Properties: { DeletionProtectionEnabled: true } })).toEqual({});
    dev.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Delete' });
    dev.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  it('is chosen with -c dataRemovalPolicy: destroy reaches the data and the spill bucket, retain is the default', () => {
    const policies = (context: Record<string, unknown>) => {
      const { stateful: data, pipeline } = buildTestApp(context);
      const pipelineTemplate = Template.fromStack(pipeline);
      const spillBucket = pipeline.getLogicalId(pipeline.quarantineSpill.bucket.node.defaultChild as CfnElement);
      return {
        tables: Object.values(Template.fromStack(data).findResources('AWS::DynamoDB::Table')).map(
          (table) => table.DeletionPolicy,
        ),
        spillBucket: pipelineTemplate.findResources('AWS::S3::Bucket')[spillBucket]?.DeletionPolicy,
      };
    };

    expect(policies({ dataRemovalPolicy: 'destroy' })).toEqual({
      tables: tableIds.map(() => 'Delete'),
      spillBucket: 'Delete',
    });
    expect(policies({})).toEqual({ tables: tableIds.map(() => 'Retain'), spillBucket: 'Retain' });
    expect(() => buildTestApp({ dataRemovalPolicy: 'DESTROY' })).toThrow(/dataRemovalPolicy.*"retain" or "destroy"/);
  });

  it('rejects a removal policy other than RETAIN or DESTROY', () => {
    expect(() => new StatefulStack(new App(), 'Bad', { dataRemovalPolicy: RemovalPolicy.SNAPSHOT })).toThrow(
      /dataRemovalPolicy must be RETAIN or DESTROY/,
    );
  });
});

describe('StatefulStack ops user pool', () => {
  const poolId = () => stateful.getLogicalId(stateful.opsUsers.userPool.node.defaultChild as cognito.CfnUserPool);

  it('lets only administrators create users: nobody signs up', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  it('requires MFA, with an authenticator app and never SMS', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      SmsConfiguration: Match.absent(),
    });
  });

  it('asks for passwords of 14 characters or more, with every character class', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
  });

  it('is on the Plus plan with threat protection enforced', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('is retained with deletion protection, as the tables are', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('has the resource server of the ops scopes, each scope of OPS_SCOPES and no other', () => {
    const scopeNames = Object.values(OPS_SCOPES).map((scope) => scope.split('/')[1]);

    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      UserPoolId: { Ref: poolId() },
      Identifier: 'clickprice',
      Scopes: scopeNames.map((name) => ({ ScopeName: name, ScopeDescription: Match.anyValue() })),
    });
    expect(Object.values(OPS_SCOPES).every((scope) => scope.startsWith('clickprice/'))).toBe(true);
  });

  it('has a Cognito domain named after the stack and the account unless told, and outputs it and the pool id', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      UserPoolId: { Ref: poolId() },
      Domain: { 'Fn::Join': ['', ['stateful-', { Ref: 'AWS::AccountId' }]] },
    });
    template.hasOutput('OpsUserPoolId', { Value: { Ref: poolId() } });
    template.hasOutput('OpsAuthUrl', { Value: Match.anyValue() });

    const named = new StatefulStack(new App(), 'Named', { opsDomainPrefix: 'clickprice-test-ops' });
    Template.fromStack(named).hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'clickprice-test-ops',
    });
  });

  it('is deleted, without deletion protection, when a dev stack asks for DESTROY', () => {
    const dev = Template.fromStack(new StatefulStack(new App(), 'Dev', { dataRemovalPolicy: RemovalPolicy.DESTROY }));

    dev.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({ DeletionProtection: 'INACTIVE' }),
      DeletionPolicy: 'Delete',
    });
  });
});

describe('resourceEnvironment', () => {
  it('maps every table env var to its table name and the stream env var to the stream name, and nothing else', () => {
    const environment = resourceEnvironment(stateful);

    const expected: Record<string, unknown> = {
      [STREAM_ENV_VAR]: { Ref: stateful.getLogicalId(stateful.clicksStream.node.defaultChild as kinesis.CfnStream) },
    };
    for (const table of catalogueTables) {
      expected[tableEnvVar(table)] = { Ref: logicalId(stateful, stateful.tables[table.id as TableId]) };
    }
    expect(stateful.resolve(environment)).toEqual(expected);
  });
});

describe('buildApp', () => {
  it('names the stateful stack after the stage from context, defaulting to dev', () => {
    expect(buildTestApp().stateful.stackName).toBe(`clickprice-${DEFAULT_STAGE}-stateful`);
    expect(buildTestApp({ stage: 'prod' }).stateful.stackName).toBe('clickprice-prod-stateful');
  });

  it('rejects a stage that cannot be part of a stack name', () => {
    expect(() => buildTestApp({ stage: 'Prod_1' })).toThrow(/Context "stage"/);
  });

  it('names the ops Cognito domain after the stage and the account', () => {
    const { stateful: stack } = buildTestApp({ stage: 'prod' });

    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['', ['clickprice-prod-', { Ref: 'AWS::AccountId' }]] },
    });
  });
});

describe('cdk-nag AwsSolutions checks', () => {
  it('fails synth on an error-level finding (a table without point-in-time recovery)', () => {
    const { app, stateful: stack } = buildTestApp();
    new dynamodb.Table(stack, 'NoPitr', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });

    expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
  });

  it('fails synth on a warning-level finding that is not acknowledged (a stream with its own key)', () => {
    const { app, stateful: stack } = buildTestApp();
    new kinesis.Stream(stack, 'UnacknowledgedCmk', {
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: new kms.Key(stack, 'ScratchKey', { enableKeyRotation: true }),
    });

    expect(() => app.synth()).toThrow(/AwsSolutions-KDS3/);
  });

  it('acknowledges only AwsSolutions-KDS3 on the clicks stream, and the token trigger role’s X-Ray wildcard', () => {
    // The stateful stack's own acknowledgements; the pipeline stack's are asserted in its test file.
    const { stateful: stack } = buildTestApp();

    const acknowledgements = acknowledgementsUnder(stack);

    expect(acknowledgements).toEqual([
      { path: stack.clicksStream.node.path, id: 'AwsSolutions-KDS3', reason: expect.stringMatching(/kms:Decrypt/) },
      {
        path: stack.opsUsers.tokenScopes.role.node.path,
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: expect.stringMatching(/xray:PutTraceSegments/),
      },
    ]);
  });
});

describe('StatefulStack ops groups', () => {
  it('has an ops-readers and an ops-writers group, and a version-2 pre-token trigger that reads no table', () => {
    for (const groupName of Object.values(OPS_GROUPS)) {
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: groupName });
    }
    const triggerArn = { 'Fn::GetAtt': [logicalId(stateful, stateful.opsUsers.tokenScopes.function), 'Arn'] };
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: triggerArn, LambdaVersion: 'V2_0' } },
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toMatch(/dynamodb:/);
  });
});
