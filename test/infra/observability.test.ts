import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { tableIds, tables } from '../../definitions/resources.js';
import { buildApp } from '../../infra/build-app.js';
import { noBundling } from '../helpers/cdk-context.js';

/** Alarms that reach a person (one topic per stage, every alarm of every stack publishing to it), and the stage’s dashboard. */
const paged = buildApp({
  context: {
    ...noBundling,
    alertEmail: 'oncall@example.com, lead@example.com',
    alertHttpsUrl: 'https://chat.example/sns',
  },
});
paged.app.synth();
const templates = {
  stateful: Template.fromStack(paged.stateful),
  pipeline: Template.fromStack(paged.pipeline),
  api: Template.fromStack(paged.api),
};
const topicId = paged.stateful.getLogicalId(paged.stateful.alerts.topic.node.defaultChild as never);

/** Every alarm of every stack, by stack and logical id. */
function allAlarms(): [string, string, Record<string, unknown>][] {
  return Object.entries(templates).flatMap(([stack, template]) =>
    Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(
      ([id, resource]) =>
        [stack, id, resource.Properties as Record<string, unknown>] as [string, string, Record<string, unknown>],
    ),
  );
}

describe('the alerts topic', () => {
  it('is encrypted with a key CloudWatch and EventBridge may use, and takes TLS only', () => {
    templates.stateful.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    templates.stateful.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      templates.stateful.hasResourceProperties('AWS::KMS::Key', {
        Description: 'Encrypts the clickprice alerts topic',
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: service },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
    }
  });

  it("lets this account's alarms publish: its policy replaces SNS's default one, which did", () => {
    // Without this statement every alarm's action fails with "not authorized to perform: SNS:Publish"
    // (the alarm still goes to ALARM; only its history shows the failure).
    const policies = Object.values(templates.stateful.findResources('AWS::SNS::TopicPolicy'));
    expect(policies).toHaveLength(1);
    const statements = (policies[0]?.Properties.PolicyDocument.Statement ?? []) as Record<string, unknown>[];
    const alarms = statements.filter(
      (statement) =>
        statement.Effect === 'Allow' &&
        JSON.stringify(statement.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }),
    );

    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ Action: 'sns:Publish', Resource: { Ref: topicId } });
    const condition = JSON.stringify(alarms[0]?.Condition);
    expect(condition).toMatch(
      /"ArnLike":\{"aws:SourceArn":\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":cloudwatch:"/,
    );
    expect(condition).toContain(':alarm:*');
  });

  it('pages the people given as context: each e-mail address and https endpoint subscribed', () => {
    const subscriptions = Object.values(templates.stateful.findResources('AWS::SNS::Subscription')).map(
      ({ Properties }) => [Properties.Protocol, Properties.Endpoint],
    );

    expect(subscriptions.sort()).toEqual([
      ['email', 'lead@example.com'],
      ['email', 'oncall@example.com'],
      ['https', 'https://chat.example/sns'],
    ]);
  });

  it('warns at synth when nobody is subscribed, and refuses an address that is not one', () => {
    const unsubscribed = buildApp({ context: noBundling });
    Annotations.fromStack(unsubscribed.stateful).hasWarning('*', Match.stringLikeRegexp('No one is subscribed'));
    Annotations.fromStack(paged.stateful).hasNoWarning('*', Match.stringLikeRegexp('No one is subscribed'));

    expect(() => buildApp({ context: { ...noBundling, alertEmail: 'oncall' } })).toThrow(
      /alertEmail.*"oncall" is not an e-mail address/,
    );
    expect(() => buildApp({ context: { ...noBundling, alertHttpsUrl: 'http://chat.example' } })).toThrow(
      /alertHttpsUrl.*is not an https:\/\/ URL/,
    );
  });
});

describe('every alarm of the stage', () => {
  it('publishes to the alerts topic, in whichever stack it lives', () => {
    const alarms = allAlarms();

    expect(alarms.length).toBeGreaterThan(20);
    for (const [stack, id, properties] of alarms) {
      const actions = JSON.stringify(properties.AlarmActions ?? []);
      expect(actions, `${stack}/${id}`).toContain(stack === 'stateful' ? `"Ref":"${topicId}"` : 'AlertsTopic');
    }
  });

  it('covers the stream’s read and write throttles and every table’s and index’s throttles', () => {
    const descriptions = allAlarms().map(([, , properties]) => String(properties.AlarmDescription));
    const expected = [
      /^Reads of the clicks stream are throttled/,
      /^Puts to the clicks stream are throttled/,
      ...tableIds.map((id) => new RegExp(`^Requests to the ${id} table are throttled`)),
      ...tableIds.flatMap((id) =>
        tables[id].globalIndexes.map(
          (index) => new RegExp(`^Reads or writes of the ${id} table’s ${index.indexName} index`),
        ),
      ),
    ];

    for (const pattern of expected)
      expect(
        descriptions.some((text) => pattern.test(text)),
        String(pattern),
      ).toBe(true);
  });

  it('covers the consumers (iterator age, errors, dead letters), the API (5xx, 4xx rate, p99 latency) and the Glue job', () => {
    const ids = allAlarms().map(([stack, id]) => `${stack}/${id}`);
    for (const pattern of [
      /^pipeline\/ClickstreamAlarmsIteratorAge/,
      /^pipeline\/AggregatesAlarmsDeadLetters/,
      /^api\/HttpApiServerErrors/,
      /^api\/HttpApiClientErrorRate/,
      /^api\/HttpApiLatency/,
      /^pipeline\/AggregationBatchTimeAlarm/,
      /^pipeline\/AggregationConsumerLagAlarm/,
    ]) {
      expect(
        ids.some((id) => pattern.test(id)),
        String(pattern),
      ).toBe(true);
    }
    // A run that ends (failed, timed out, stopped) is an EventBridge event, sent to the same topic.
    templates.pipeline.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['Glue Job State Change'] },
      Targets: Match.arrayWith([
        Match.objectLike({ Arn: { 'Fn::ImportValue': Match.stringLikeRegexp('AlertsTopic') } }),
      ]),
    });
  });
});

describe('the stage’s CloudWatch dashboard', () => {
  it('plots clicks in, decisions, price changes by reason, the quarantine rate and end-to-end latency', () => {
    const dashboards = templates.pipeline.findResources('AWS::CloudWatch::Dashboard');
    const [dashboard] = Object.values(dashboards);
    // The body is a join of JSON text and tokens (the stream's name): tokens become a placeholder.
    const parts: unknown[] = dashboard?.Properties.DashboardBody['Fn::Join'][1] ?? [];
    const body = JSON.stringify(JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')));

    expect(Object.keys(dashboards)).toHaveLength(1);
    expect(dashboard?.Properties.DashboardName).toBe(paged.pipeline.stackName);
    for (const metric of [
      'IncomingRecords',
      '"Decisions"',
      'PriceChangesByReason',
      'RecordsQuarantined',
      'EndToEndLatency',
    ]) {
      expect(body).toContain(metric);
    }
    // Both paths, by the service name their functions' metrics carry.
    expect(body).toContain('"service","clickstream"');
    expect(body).toContain('"service","aggregates"');
  });
});
