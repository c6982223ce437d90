/**
 * The two Lambda calls clickprice makes, signed with another client's config (signed-aws-request.ts)
 * instead of the Lambda client, which would add about 90 KB to the pipeline API's bundle and load
 * event-stream support when loaded: GetEventSourceMapping (`GET /2015-03-31/event-source-mappings/{UUID}`)
 * and a synchronous Invoke (`POST /2015-03-31/functions/{name}/invocations`), as Lambda's API reference
 * documents them. Locally the same requests reach the local Lambda API (local/local-lambda-service.ts).
 */
import { AwsServiceError, type SdkClientConfig, SignedAwsRequests } from './signed-aws-request.js';

/** An event-source mapping as GetEventSourceMapping describes it (the fields read here). */
export interface EventSourceMappingDescription {
  readonly UUID?: string;
  readonly State?: string;
  readonly LastProcessingResult?: string;
}

/** What a synchronous Invoke answers: the function's payload, and its error type if it failed. */
export interface InvokeAnswer {
  readonly payload: string;
  /** `X-Amz-Function-Error` (`Unhandled`, `Handled`): the function failed; the payload says how. */
  readonly functionError: string | undefined;
}

const API_VERSION = '2015-03-31';

export class LambdaApi {
  private readonly requests: SignedAwsRequests;

  /** `endpoint`: the Lambda API's URL; by default as the SDK finds it (AWS_ENDPOINT_URL_LAMBDA, else the region's). */
  constructor(
    config: SdkClientConfig,
    private readonly endpoint?: string,
  ) {
    this.requests = new SignedAwsRequests(config, 'lambda');
  }

  async getEventSourceMapping(uuid: string): Promise<EventSourceMappingDescription> {
    const response = await this.requests.send({
      method: 'GET',
      url: await this.url(`/${API_VERSION}/event-source-mappings/${encodeURIComponent(uuid)}`),
    });
    if (response.statusCode !== 200) throw AwsServiceError.of(response);
    return JSON.parse(response.body.toString('utf8')) as EventSourceMappingDescription;
  }

  /** Invokes the function and waits for its answer (RequestResponse). */
  async invoke(functionName: string, payload: unknown, timeoutMs = 900_000): Promise<InvokeAnswer> {
    const response = await this.requests.send(
      {
        method: 'POST',
        url: await this.url(`/${API_VERSION}/functions/${encodeURIComponent(functionName)}/invocations`),
        headers: { 'content-type': 'application/octet-stream', 'x-amz-invocation-type': 'RequestResponse' },
        body: Buffer.from(JSON.stringify(payload)),
      },
      timeoutMs,
    );
    if (response.statusCode !== 200) throw AwsServiceError.of(response);
    return { payload: response.body.toString('utf8'), functionError: response.headers['x-amz-function-error'] };
  }

  private async url(path: string): Promise<URL> {
    const base = await this.requests.endpoint('LAMBDA', 'lambda', this.endpoint);
    return new URL(`${base.replace(/\/$/, '')}${path}`);
  }
}
