import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertsProps {
  /** People paged by e-mail (each confirms the subscription from the mail AWS sends). @default - none */
  readonly emails?: readonly string[];
  /**
   * HTTPS endpoints paged with the SNS JSON message, e.g. a chat or incident tool's SNS webhook (it
   * confirms the subscription by fetching the SubscribeURL AWS posts first). @default - none
   */
  readonly httpsUrls?: readonly string[];
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Where every clickprice alarm goes: one SNS topic per stage, which the people on call subscribe to.
 * CloudWatch alarms and EventBridge rules publish to it. It is encrypted with a key of its own because
 * CloudWatch cannot publish to a topic under the AWS-managed SNS key; that key's policy lets exactly
 * those two services use it, and only for this account's alarms and rules. The topic's own policy
 * (written because of enforceSSL) replaces SNS's default one, which let the account's alarms publish:
 * so it must allow them itself, or every alarm's action fails ("not authorized to perform: SNS:Publish").
 */
export class Alerts extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;
  /** The action every alarm of the stage takes. */
  public readonly alarmAction: cloudwatch.IAlarmAction;

  public constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the clickprice alerts topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(7),
    });
    for (const [sid, service] of [
      ['AlarmsPublish', 'cloudwatch.amazonaws.com'],
      ['RulesPublish', 'events.amazonaws.com'],
    ] as const) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': this.key.stack.account } },
        }),
      );
    }
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'clickprice alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    // EventBridge's rules get their statement from the rule's SnsTopic target; alarms get none from SnsAction.
    const { account, region, partition } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        // As AWS's example has it: the source ARN alone, which names the account.
        conditions: { ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` } },
      }),
    );
    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    for (const url of props.httpsUrls ?? []) {
      this.topic.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
    }
    this.alarmAction = new cloudwatchActions.SnsAction(this.topic);
  }
}
