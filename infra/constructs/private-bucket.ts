import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What every clickprice bucket is: private, TLS-only, owned by the account, encrypted with `key`
 * through a bucket key (one KMS data key reused for a while, not a KMS call per object).
 */
export function privateBucketProps(key: kms.IKey) {
  return {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  } as const satisfies s3.BucketProps;
}
