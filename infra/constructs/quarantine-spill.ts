import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { tables } from '../../definitions/resources.js';
import { QUARANTINE_SPILL_BUCKET_ENV } from '../../functions/store/raw-spill.js';
import { privateBucketProps } from './private-bucket.js';

/** Where QuarantineStore puts records too big for their item (spillKey in functions/store/raw-spill.ts). */
export const QUARANTINE_SPILL_PREFIX = 'quarantine/';

export interface QuarantineSpillProps {
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The bucket for bad records too big for a quarantine item (over 256 KB): private, TLS-only,
 * encrypted with its own KMS key (raw shopper payloads), objects kept as long as the quarantine
 * table keeps its items.
 */
export class QuarantineSpill extends Construct {
  public readonly key: kms.Key;
  public readonly bucket: s3.Bucket;

  public constructor(scope: Construct, id: string, props: QuarantineSpillProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the raw bad records of clickprice too big for the quarantine table',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(7),
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...privateBucketProps(this.key),
      lifecycleRules: [
        {
          id: 'expire-with-the-quarantine-items',
          prefix: QUARANTINE_SPILL_PREFIX,
          expiration: Duration.days(tables.quarantine.ttl.retentionDays),
        },
      ],
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only the clickstream function role writes here, once per oversized bad record; reads are ops ' +
        'people with IAM access to the account, which CloudTrail records. Access logs would need a ' +
        'bucket of their own for the same audit trail.',
    });
  }

  /** Lets `fn` put spilled records (and only under the prefix), and tells it the bucket. */
  public grantSpill(fn: lambda.Function): void {
    fn.addEnvironment(QUARANTINE_SPILL_BUCKET_ENV, this.bucket.bucketName);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${QUARANTINE_SPILL_PREFIX}*`)],
      }),
    );
    // SSE-KMS on a single PUT needs a data key (a bucket key's, reused).
    this.key.grant(fn, 'kms:GenerateDataKey');
    if (fn.role === undefined) return;
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/${QUARANTINE_SPILL_PREFIX}*]`,
      reason:
        'Spilled records are keyed by their day, shard and sequence number, unknown in advance; the ' +
        'statement allows PutObject only, under the quarantine prefix of the spill bucket.',
    });
  }
}
