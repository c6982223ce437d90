/**
 * The Glue API's wire protocol, served locally: JSON 1.1 (POST `/`, `X-Amz-Target: AWSGlue.<Operation>`,
 * a JSON body in and out, errors as `{__type, Message}` with `x-amzn-errortype`), so code that talks to
 * Glue (GlueJobRuns' signed requests, and @aws-sdk/client-glue in the tests) does so over the wire as
 * on AWS. Each operation is a function of the request's JSON; what it throws as a GlueApiError is
 * answered as Glue answers that error.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback-server.js';

/** An error Glue answers with, e.g. `EntityNotFoundException` (status 400, as Glue's client errors). */
export class GlueApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type GlueOperation = (input: Record<string, unknown>) => unknown | Promise<unknown>;

export interface GlueJsonServer {
  /** `http://127.0.0.1:PORT`: the Glue endpoint (AWS_ENDPOINT_URL_GLUE). */
  readonly url: string;
  close(): Promise<void>;
}

async function jsonOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of request) text += chunk;
  if (text === '') return {};
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GlueApiError('SerializationException', 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Serves `operations` on a free loopback port (or `port`). */
export async function startGlueJsonServer(
  operations: Readonly<Record<string, GlueOperation>>,
  port = 0,
): Promise<GlueJsonServer> {
  const server: Server = createServer(async (request, response) => {
    const reply = (status: number, payload: unknown, errorType?: string) => {
      response.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      response.end(JSON.stringify(payload));
    };
    try {
      const operation = String(request.headers['x-amz-target'] ?? '').replace(/^AWSGlue\./, '');
      const input = await jsonOf(request);
      const handle = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
      if (handle === undefined)
        throw new GlueApiError('InvalidInputException', `this Glue does not speak ${operation}`);
      reply(200, (await handle(input)) ?? {});
    } catch (error) {
      const known =
        error instanceof GlueApiError ? error : new GlueApiError('InternalServiceException', String(error), 500);
      reply(known.status, { __type: known.type, Message: known.message }, known.type);
    }
  });
  return { url: await listenOnLoopback(server, port), close: () => closeServer(server) };
}
