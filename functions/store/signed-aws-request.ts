/**
 * AWS calls made with what an SDK client the function already has carries: its credentials, its
 * SHA-256, its HTTP handler, and the SDK's own SigV4 signer. A function that makes a call or two of a
 * service this way does not bundle that service's client: the S3 client would add about 190 KB to the
 * clickstream function, the Lambda and CloudWatch clients about 150 KB to the pipeline API (measured:
 * esbuild, minified). Each caller builds the request its service documents; this signs and sends it,
 * and retries it as that client retries its own calls.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpRequest } from '@smithy/core/protocols';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentityProvider,
  ChecksumConstructor,
  HashConstructor,
  HttpHandlerOptions,
  Provider,
  RequestHandler,
  RetryErrorType,
  RetryStrategy,
  RetryStrategyV2,
  SdkError,
} from '@smithy/types';

/** What a signed call takes from a client's resolved config (any SDK client's `config`). */
export interface SdkClientConfig {
  readonly credentials: AwsCredentialIdentityProvider;
  readonly sha256: ChecksumConstructor | HashConstructor;
  readonly region: Provider<string>;
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's own type for its request handler.
  readonly requestHandler: RequestHandler<any, any, HttpHandlerOptions>;
  /** The client's retry strategy (its `maxAttempts` and retry mode): signed calls retry as its calls do. */
  readonly retryStrategy: Provider<RetryStrategyV2 | RetryStrategy>;
}

export interface SigningOptions {
  /** False for S3, which signs the path as sent. @default true */
  readonly uriEscapePath?: boolean;
  /** Sign the payload's hash header (S3's `x-amz-content-sha256`). @default false */
  readonly applyChecksum?: boolean;
  /** A fixed signing time, for tests. */
  readonly clock?: () => Date;
}

export interface AwsResponse {
  readonly statusCode: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface AwsRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

/** Signs and sends requests to one AWS service (`service` is its signing name: `s3`, `lambda`, `monitoring`). */
export class SignedAwsRequests {
  private readonly signer: Promise<SignatureV4>;

  constructor(
    private readonly config: SdkClientConfig,
    service: string,
    private readonly options: SigningOptions = {},
  ) {
    this.signer = config.region().then(
      (region) =>
        new SignatureV4({
          service,
          region,
          credentials: config.credentials,
          sha256: config.sha256,
          uriEscapePath: options.uriEscapePath ?? true,
          applyChecksum: options.applyChecksum ?? false,
        }),
    );
  }

  region(): Promise<string> {
    return this.config.region();
  }

  /** The payload's SHA-256 in hex (S3 wants it in a header). */
  async sha256Hex(body: Uint8Array): Promise<string> {
    const hash = new this.config.sha256();
    hash.update(body);
    return Buffer.from(await hash.digest()).toString('hex');
  }

  /**
   * Sends the request, retried as the client's retry strategy decides, on what the SDK retries:
   * throttling, transient and server errors, and failures to reach the service. The answer of the
   * last attempt is given (the caller reads its error); a failure to reach the service is thrown.
   */
  async send(request: AwsRequest, timeoutMs = 10_000): Promise<AwsResponse> {
    const strategy = await this.config.retryStrategy();
    // Every client of SDK v3 resolves a strategy of the current interface; an older one sends once.
    if (!('acquireInitialRetryToken' in strategy)) return this.sendOnce(request, timeoutMs);
    let token = await strategy.acquireInitialRetryToken('');
    for (;;) {
      let response: AwsResponse | undefined;
      let failure: unknown;
      try {
        response = await this.sendOnce(request, timeoutMs);
        if (response.statusCode < 300) {
          strategy.recordSuccess(token);
          return response;
        }
        failure = AwsServiceError.of(response);
      } catch (error) {
        failure = error;
      }
      try {
        token = await strategy.refreshRetryTokenForRetry(token, {
          error: failure as SdkError,
          errorType: retryErrorType(failure),
        });
      } catch {
        // No retry left, or not an error worth one.
        if (response !== undefined) return response;
        throw failure;
      }
      await sleep(token.getRetryDelay());
    }
  }

  private async sendOnce(request: AwsRequest, timeoutMs: number): Promise<AwsResponse> {
    const { url, body } = request;
    const unsigned = new HttpRequest({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: {
        host: url.host,
        ...(body === undefined ? {} : { 'content-length': String(body.byteLength) }),
        ...request.headers,
      },
      body,
    });
    const signed = await (await this.signer).sign(unsigned, { signingDate: this.options.clock?.() ?? new Date() });
    const { response } = await this.config.requestHandler.handle(signed as HttpRequest, { requestTimeout: timeoutMs });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = String(value);
    return { statusCode: response.statusCode, headers, body: await readAll(response.body) };
  }
}

/**
 * A service's endpoint as the SDK finds it: `AWS_ENDPOINT_URL_<ID>` (the local stack sets these), then
 * `AWS_ENDPOINT_URL`, then the service's regional endpoint (`https://<prefix>.<region>.amazonaws.com`).
 */
export function serviceEndpoint(
  id: string,
  prefix: string,
  region: string,
  environment: NodeJS.ProcessEnv = process.env,
): string {
  return (
    environment[`AWS_ENDPOINT_URL_${id}`] ?? environment.AWS_ENDPOINT_URL ?? `https://${prefix}.${region}.amazonaws.com`
  );
}

/** An AWS error answer: its type (`x-amzn-errortype`, or the body's `__type`/`Type`) and message. */
export class AwsServiceError extends Error {
  /** As the SDK's errors carry it: what its error classification reads. */
  readonly $metadata: { readonly httpStatusCode: number };

  constructor(
    readonly errorType: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(`${errorType} (${statusCode}): ${message}`);
    this.name = errorType;
    this.$metadata = { httpStatusCode: statusCode };
  }

  /** From a JSON error answer (the restJson and awsJson protocols). */
  static of(response: AwsResponse): AwsServiceError {
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      // not JSON: the status says enough
    }
    const type = String(response.headers['x-amzn-errortype'] ?? parsed.__type ?? parsed.Type ?? 'UnknownError');
    const message = String(parsed.message ?? parsed.Message ?? response.body.toString('utf8').slice(0, 200));
    // `Type:details` and `namespace#Type` forms carry the type in one part.
    return new AwsServiceError(type.split(':')[0]?.split('#').pop() ?? type, response.statusCode, message);
  }
}

/** How the SDK's retry middleware classifies a failed attempt. */
function retryErrorType(failure: unknown): RetryErrorType {
  const error = failure as SdkError;
  if (isThrottlingError(error)) return 'THROTTLING';
  if (isTransientError(error)) return 'TRANSIENT';
  if (isServerError(error)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

async function readAll(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
