/**
 * One S3 call, PutObject, made with what a DynamoDB client already carries: its credentials, its
 * SHA-256, its HTTP handler and the SDK's own SigV4 signer. The S3 client would add about 190 KB
 * to the clickstream bundle (measured: esbuild, minified) for a call made only when a bad record is
 * too big to keep in DynamoDB. The request is the one S3 documents for PutObject: virtual-hosted
 * style, `x-amz-content-sha256` of the payload, signed for service `s3` with the path unescaped
 * twice (S3 signs the key as sent). test/integration/store/s3-object-writer.test.ts checks its
 * signature against botocore's S3 signer.
 */
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentityProvider,
  ChecksumConstructor,
  HashConstructor,
  HttpHandlerOptions,
  Provider,
  RequestHandler,
} from '@smithy/types';

/** What the writer takes from a client's resolved config (a DynamoDBClient's `config`). */
export interface SdkClientConfig {
  readonly credentials: AwsCredentialIdentityProvider;
  readonly sha256: ChecksumConstructor | HashConstructor;
  readonly region: Provider<string>;
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's own type for its request handler.
  readonly requestHandler: RequestHandler<any, any, HttpHandlerOptions>;
}

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
  private readonly signer: Promise<SignatureV4>;

  constructor(
    private readonly config: SdkClientConfig,
    private readonly options: S3ObjectWriterOptions,
  ) {
    this.signer = config.region().then(
      (region) =>
        new SignatureV4({
          service: 's3',
          region,
          credentials: config.credentials,
          sha256: config.sha256,
          uriEscapePath: false,
          applyChecksum: true,
        }),
    );
  }

  /** Writes the object (the bucket's default encryption applies); resolves to its `s3://` URI. */
  async put(key: string, body: Uint8Array, contentType = 'application/octet-stream'): Promise<string> {
    if (!SAFE_KEY.test(key)) throw new Error(`S3 key ${JSON.stringify(key)} has characters this writer does not sign`);
    const { bucket } = this.options;
    const region = await this.config.region();
    const endpoint = new URL(this.options.endpoint ?? `https://${bucket}.s3.${region}.amazonaws.com`);
    const path =
      this.options.endpoint === undefined ? `/${key}` : `${endpoint.pathname.replace(/\/$/, '')}/${bucket}/${key}`;
    const hash = new this.config.sha256();
    hash.update(body);
    const request = new HttpRequest({
      method: 'PUT',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port === '' ? {} : { port: Number(endpoint.port) }),
      path,
      headers: {
        host: endpoint.host,
        'content-type': contentType,
        'content-length': String(body.byteLength),
        'x-amz-content-sha256': Buffer.from(await hash.digest()).toString('hex'),
      },
      body,
    });
    const signed = await (await this.signer).sign(request, { signingDate: this.options.clock?.() ?? new Date() });
    const { response } = await this.config.requestHandler.handle(signed as HttpRequest, { requestTimeout: 10_000 });
    const answer = await readAll(response.body);
    if (response.statusCode !== 200) {
      const code = /<Code>([^<]+)<\/Code>/.exec(answer)?.[1] ?? 'unknown';
      throw new Error(`S3 PutObject s3://${bucket}/${key} answered ${response.statusCode} ${code}`);
    }
    return `s3://${bucket}/${key}`;
  }
}

async function readAll(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
