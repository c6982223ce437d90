/**
 * One S3 call, PutObject, signed with what a DynamoDB client already carries (signed-aws-request.ts):
 * the S3 client would add about 190 KB to the clickstream bundle (measured: esbuild, minified) for a
 * call made only when a bad record is too big to keep in DynamoDB. The request is the one S3 documents
 * for PutObject: virtual-hosted style, `x-amz-content-sha256` of the payload, signed for service `s3`
 * with the path unescaped twice (S3 signs the key as sent). test/integration/store/s3-object-writer.test.ts
 * checks its signature against botocore's S3 signer.
 */
import { AwsServiceError, type SdkClientConfig, SignedAwsRequests } from './signed-aws-request.js';

export type { SdkClientConfig } from './signed-aws-request.js';

export interface S3ObjectWriterOptions {
  readonly bucket: string;
  /** `AWS_ENDPOINT_URL_S3` when set (a local S3, path-style), else S3's regional endpoint. */
  readonly endpoint?: string;
  /** A fixed signing time, for tests. */
  readonly clock?: () => Date;
}

/** S3 keys the writer accepts: no character that S3 and SigV4 escape differently. */
const SAFE_KEY = /^[A-Za-z0-9!_.*'()/-]{1,1024}$/;

export class S3ObjectWriter {
  private readonly requests: SignedAwsRequests;

  constructor(
    config: SdkClientConfig,
    private readonly options: S3ObjectWriterOptions,
  ) {
    this.requests = new SignedAwsRequests(config, 's3', {
      uriEscapePath: false,
      applyChecksum: true,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  /** Writes the object (the bucket's default encryption applies); resolves to its `s3://` URI. */
  async put(key: string, body: Uint8Array, contentType = 'application/octet-stream'): Promise<string> {
    if (!SAFE_KEY.test(key)) throw new Error(`S3 key ${JSON.stringify(key)} has characters this writer does not sign`);
    const { bucket } = this.options;
    const region = await this.requests.region();
    const endpoint = new URL(this.options.endpoint ?? `https://${bucket}.s3.${region}.amazonaws.com`);
    const path =
      this.options.endpoint === undefined ? `/${key}` : `${endpoint.pathname.replace(/\/$/, '')}/${bucket}/${key}`;
    const response = await this.requests.send({
      method: 'PUT',
      url: new URL(path, endpoint),
      headers: {
        'content-type': contentType,
        'x-amz-content-sha256': await this.requests.sha256Hex(body),
      },
      body,
    });
    if (response.statusCode !== 200) {
      const { errorType } = AwsServiceError.of(response);
      throw new Error(`S3 PutObject s3://${bucket}/${key} answered ${response.statusCode} ${errorType}`);
    }
    return `s3://${bucket}/${key}`;
  }
}
