/**
 * AWS calls made with what an SDK client's config carries (any client's, or the same read from the
 * environment: environment-aws-config.ts): its credentials, its SHA-256, its HTTP handler, and the
 * SDK's own SigV4 signer. A function that makes a call or two of a
 * service this way does not bundle that service's client: the S3 client would add about 190 KB to the
 * clickstream function, the Lambda and CloudWatch clients about 150 KB to the pipeline API (measured:
 * esbuild, minified). Each caller builds the request its service documents (AwsJsonService, below,
 * for the services of the AWS JSON protocol); this signs and sends it,
 * and retries it as an SDK client retries its calls (standard mode, as many attempts as the signing
 * client's `maxAttempts`, with a retry quota of its own: not the signing client's).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpRequest, HttpResponse } from '@smithy/core/protocols';
import {
  getRetryAfterHint,
  isServerError,
  isThrottlingError,
  isTransientError,
  StandardRetryStrategy,
} from '@smithy/core/retry';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentityProvider,
  ChecksumConstructor,
  HashConstructor,
  HttpHandlerOptions,
  Provider,
  RequestHandler,
  RetryErrorInfo,
  RetryErrorType,
  SdkError,
} from '@smithy/types';

/** What a signed call takes from a client's resolved config (any SDK client's `config`, or environmentAwsConfig). */
export interface SdkClientConfig {
  readonly credentials: AwsCredentialIdentityProvider;
  readonly sha256: ChecksumConstructor | HashConstructor;
  readonly region: Provider<string>;
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's own type for its request handler.
  readonly requestHandler: RequestHandler<any, any, HttpHandlerOptions>;
  /** How many attempts the client makes of a call (AWS_MAX_ATTEMPTS, its config, its service's default). */
  readonly maxAttempts: Provider<number>;
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
  /**
   * False for a call that must not be made twice (Glue's StartJobRun): it is retried only when the
   * service surely did not act on it, a throttling answer or a connection refused. @default true
   */
  readonly idempotent?: boolean;
}

/** Signs and sends requests to one AWS service (`service` is its signing name: `s3`, `lambda`, `monitoring`). */
export class SignedAwsRequests {
  /** Made at the first call: a missing region fails that call, not the module's load. */
  private signer: Promise<SignatureV4> | undefined;
  private base: Promise<string> | undefined;
  private readonly retries: StandardRetryStrategy;

  constructor(
    private readonly config: SdkClientConfig,
    private readonly service: string,
    private readonly options: SigningOptions = {},
  ) {
    this.retries = new StandardRetryStrategy(config.maxAttempts);
  }

  private signerOf(): Promise<SignatureV4> {
    this.signer ??= this.config.region().then(
      (region) =>
        new SignatureV4({
          service: this.service,
          region,
          credentials: this.config.credentials,
          sha256: this.config.sha256,
          uriEscapePath: this.options.uriEscapePath ?? true,
          applyChecksum: this.options.applyChecksum ?? false,
        }),
    );
    return this.signer;
  }

  region(): Promise<string> {
    return this.config.region();
  }

  /**
   * Where this service's calls go: `explicit` when the caller was given one, else its endpoint as
   * serviceEndpoint finds it for the region. Found at the first call and kept: an instance speaks to
   * one service, and its environment does not change.
   */
  endpoint(id: string, prefix: string, explicit: string | undefined): Promise<string> {
    this.base ??=
      explicit !== undefined
        ? Promise.resolve(explicit)
        : this.region().then((region) => serviceEndpoint(id, prefix, region));
    return this.base;
  }

  /** The payload's SHA-256 in hex (S3 wants it in a header). */
  async sha256Hex(body: Uint8Array): Promise<string> {
    const hash = new this.config.sha256();
    hash.update(body);
    return Buffer.from(await hash.digest()).toString('hex');
  }

  /**
   * Sends the request, retried as the SDK's standard mode retries: throttling and transient errors
   * (500, 502, 503 and 504 among them, timeouts, failures to reach the service), after its backoff or
   * the service's Retry-After. The answer of the last attempt is given (the caller reads its error);
   * a failure to reach the service, or no answer within `timeoutMs`, is thrown.
   */
  async send(request: AwsRequest, timeoutMs = 10_000): Promise<AwsResponse> {
    let token = await this.retries.acquireInitialRetryToken('');
    for (;;) {
      let response: AwsResponse | undefined;
      let failure: SdkError;
      try {
        response = await this.sendOnce(request, timeoutMs);
        if (response.statusCode < 300) {
          this.retries.recordSuccess(token);
          return response;
        }
        failure = AwsServiceError.of(response) as SdkError;
      } catch (error) {
        failure = (error instanceof Error ? error : new Error(String(error))) as SdkError;
      }
      const info: RetryErrorInfo = { error: failure, errorType: retryErrorType(failure) };
      const hint = response && getRetryAfterHint(new HttpResponse(response));
      if (hint) info.retryAfterHint = hint;
      const mayRetry = request.idempotent !== false || info.errorType === 'THROTTLING' || isRefused(failure);
      try {
        if (!mayRetry) throw failure;
        token = await this.retries.refreshRetryTokenForRetry(token, info);
      } catch {
        // No retry left, or not an error worth one.
        if (response !== undefined) return response;
        throw failure;
      }
      // This strategy waits in refreshRetryTokenForRetry (its token's delay is 0); one that leaves the
      // wait to its caller, as the SDK's retry middleware allows, is waited for here.
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
    const signed = await (await this.signerOf()).sign(unsigned, { signingDate: this.options.clock?.() ?? new Date() });
    // The handler only warns when `requestTimeout` passes: the signal ends the attempt, body read included.
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const { response } = await this.config.requestHandler.handle(signed as HttpRequest, {
        requestTimeout: timeoutMs,
        abortSignal: deadline,
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = String(value);
      return { statusCode: response.statusCode, headers, body: await readAll(response.body) };
    } catch (error) {
      if (!deadline.aborted) throw error;
      // Named as the SDK names it: a transient error, retried when the call may be made again.
      const timeout = new Error(`${request.method} ${url.host}${url.pathname}: no answer within ${timeoutMs} ms`);
      timeout.name = 'TimeoutError';
      throw timeout;
    }
  }
}

/** A service of the AWS JSON protocol, as its model names it. */
export interface AwsJsonProtocol {
  /** What SigV4 signs for: `dynamodb` (also for DynamoDB Streams), `glue`, `monitoring`. */
  readonly signingName: string;
  /** The SDK's id of the service in `AWS_ENDPOINT_URL_<ID>`: `DYNAMODB_STREAMS`. */
  readonly endpointId: string;
  /** The regional host's first part: `streams.dynamodb`. */
  readonly endpointPrefix: string;
  readonly version: '1.0' | '1.1';
  /** What `X-Amz-Target` puts before the operation: `DynamoDB_20120810`. */
  readonly targetPrefix: string;
  /** Sent with every call (`x-amzn-query-mode` for SQS and CloudWatch, services that were query-protocol first). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Calls of one AWS JSON protocol service (1.0 or 1.1): each a POST with `X-Amz-Target` and its input
 * as JSON, signed and retried by SignedAwsRequests.
 */
export class AwsJsonService {
  private readonly requests: SignedAwsRequests;

  /** `endpoint`: the service's URL; by default as the SDK finds it (see serviceEndpoint). */
  constructor(
    config: SdkClientConfig,
    private readonly protocol: AwsJsonProtocol,
    private readonly endpoint?: string,
  ) {
    this.requests = new SignedAwsRequests(config, protocol.signingName);
  }

  /**
   * Gives the answer's JSON; an error answer is thrown as an AwsServiceError named by its type.
   * `idempotent`: see AwsRequest.
   */
  async call<T>(operation: string, input: unknown, idempotent?: boolean): Promise<T> {
    const { endpointId, endpointPrefix, version, targetPrefix, headers } = this.protocol;
    const base = await this.requests.endpoint(endpointId, endpointPrefix, this.endpoint);
    const response = await this.requests.send({
      method: 'POST',
      url: new URL(base),
      headers: {
        'content-type': `application/x-amz-json-${version}`,
        'x-amz-target': `${targetPrefix}.${operation}`,
        ...headers,
      },
      body: Buffer.from(JSON.stringify(input, bytesAsBase64)),
      ...(idempotent === undefined ? {} : { idempotent }),
    });
    if (response.statusCode !== 200) throw AwsServiceError.of(response);
    // An operation with no output may answer with no body at all (SQS's DeleteMessage): read as {}, as the SDK does.
    const text = response.body.toString('utf8');
    return (text === '' ? {} : JSON.parse(text)) as T;
  }
}

/**
 * A service's endpoint as the SDK finds it: `AWS_ENDPOINT_URL_<ID>` (the local stack sets these), then
 * `AWS_ENDPOINT_URL`, then the service's regional endpoint (`https://<prefix>.<region>.amazonaws.com`,
 * `.amazonaws.com.cn` in the China regions).
 */
export function serviceEndpoint(
  id: string,
  prefix: string,
  region: string,
  environment: NodeJS.ProcessEnv = process.env,
): string {
  return (
    environment[`AWS_ENDPOINT_URL_${id}`] ??
    environment.AWS_ENDPOINT_URL ??
    `https://${prefix}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`
  );
}

/** What an error answer says of itself, read into the error's type and message. */
const ERROR_ENVELOPE = new Set(['__type', 'Type', 'message', 'Message', 'code', 'Code']);

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

  /** From an error answer: JSON (the restJson and awsJson protocols) or S3's XML. */
  static of(response: AwsResponse): AwsServiceError {
    const text = response.body.toString('utf8');
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Not JSON: S3's XML (`<Error><Code>SlowDown</Code><Message>…`), or nothing the status does not say.
      const xml = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
      parsed = { __type: xml('Code'), message: xml('Message') };
    }
    const type = String(response.headers['x-amzn-errortype'] ?? parsed.__type ?? parsed.Type ?? 'UnknownError');
    const message = String(parsed.message ?? parsed.Message ?? text.slice(0, 200));
    // `Type:details` and `namespace#Type` forms carry the type in one part.
    const error = new AwsServiceError(type.split(':')[0]?.split('#').pop() ?? type, response.statusCode, message);
    // The answer's other fields on the error, as the SDK puts them: DynamoDB's CancellationReasons, Item.
    for (const [field, value] of Object.entries(parsed)) {
      if (!(field in error) && !ERROR_ENVELOPE.has(field))
        Object.defineProperty(error, field, { value, enumerable: true });
    }
    return error;
  }
}

/** The protocol's blobs: bytes as base64 (read from the holder: JSON.stringify turns a Buffer into an object first). */
function bytesAsBase64(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  if (ArrayBuffer.isView(original)) {
    return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64');
  }
  return original instanceof ArrayBuffer ? Buffer.from(original).toString('base64') : value;
}

/**
 * Errors their service's model marks retryable (the SDK's clients read it as `$retryable`), which
 * the generic classification does not know: DynamoDB's, for a global table's concurrent write.
 */
const RETRYABLE_BY_MODEL = new Set(['ReplicatedWriteConflictException']);

/** How the SDK's retry middleware classifies a failed attempt. */
function retryErrorType(error: SdkError): RetryErrorType {
  if (isThrottlingError(error)) return 'THROTTLING';
  if (RETRYABLE_BY_MODEL.has(error.name)) return 'TRANSIENT';
  if (isTransientError(error)) return 'TRANSIENT';
  if (isServerError(error)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

/** The connection was refused: the request never reached the service. */
function isRefused(error: SdkError): boolean {
  return (error as { code?: unknown }).code === 'ECONNREFUSED';
}

async function readAll(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
