/**
 * The two Lambda API calls the pipeline API makes, served locally over Lambda's REST protocol, so its
 * code talks to the local stack through the real @aws-sdk/client-lambda as it talks to Lambda:
 * GetEventSourceMapping (`GET /2015-03-31/event-source-mappings/{UUID}`, answered from the local
 * event-source mappings) and Invoke (`POST /2015-03-31/functions/{name}/invocations`, answered by a
 * local function). A function that throws is answered as Lambda answers a function error: 200 with
 * `X-Amz-Function-Error: Unhandled` and `{ errorMessage, errorType }`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { EventSourceMapping } from './event-source-mapping/index.js';
import { closeServer, listenOnLoopback } from './loopback-server.js';

/** A function the local Lambda runs when invoked: its event in, its response out. */
export type LocalFunction = (event: unknown) => Promise<unknown>;

export interface LocalLambdaService {
  /** `http://127.0.0.1:PORT`: the Lambda endpoint (AWS_ENDPOINT_URL_LAMBDA). */
  readonly url: string;
  close(): Promise<void>;
}

const MAPPING_PATH = /^\/2015-03-31\/event-source-mappings\/([^/?]+)$/;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations$/;

async function bodyOf(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
}

function reply(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(payload));
}

/** Lambda's error answer: the SDK reads the type from `x-amzn-errortype` and the message from the body. */
function clientError(response: ServerResponse, status: number, type: string, message: string) {
  reply(response, status, { Type: 'User', message }, { 'x-amzn-errortype': type });
}

/** Serves `mappings` (by UUID, which locally is the mapping id) and `functions` (by name) on a free loopback port. */
export async function startLocalLambdaService(options: {
  readonly mappings: () => readonly EventSourceMapping[];
  readonly functions: Readonly<Record<string, LocalFunction>>;
}): Promise<LocalLambdaService> {
  const server = createServer(async (request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    try {
      const mapping = MAPPING_PATH.exec(path);
      if (mapping && request.method === 'GET') {
        const uuid = decodeURIComponent(mapping[1] as string);
        const found = options.mappings().find((candidate) => candidate.mappingId === uuid);
        if (found === undefined) {
          clientError(response, 404, 'ResourceNotFoundException', `The resource you requested does not exist: ${uuid}`);
          return;
        }
        const described = found.describe();
        reply(response, 200, {
          UUID: described.uuid,
          State: described.state,
          StateTransitionReason: described.stateTransitionReason,
          LastProcessingResult: described.lastProcessingResult,
          EventSourceArn: described.eventSourceArn,
          FunctionArn: described.functionArn,
          BatchSize: described.batchSize,
          // restJson1 timestamps in a body are epoch seconds.
          LastModified: described.lastModifiedMs / 1000,
        });
        return;
      }
      const invoke = INVOKE_PATH.exec(path);
      if (invoke && request.method === 'POST') {
        const name = decodeURIComponent(invoke[1] as string);
        const run = Object.hasOwn(options.functions, name) ? options.functions[name] : undefined;
        if (run === undefined) {
          clientError(response, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
          return;
        }
        const text = await bodyOf(request);
        let answer: unknown;
        try {
          answer = await run(text === '' ? {} : JSON.parse(text));
        } catch (error) {
          const { name: errorType = 'Error', message = String(error) } = error as Error;
          reply(response, 200, { errorMessage: message, errorType }, { 'x-amz-function-error': 'Unhandled' });
          return;
        }
        reply(response, 200, answer ?? null, { 'x-amz-executed-version': '$LATEST' });
        return;
      }
      clientError(
        response,
        404,
        'ResourceNotFoundException',
        `this local Lambda does not serve ${request.method} ${path}`,
      );
    } catch (error) {
      reply(response, 500, { message: String(error) }, { 'x-amzn-errortype': 'ServiceException' });
    }
  });
  return { url: await listenOnLoopback(server, 0), close: () => closeServer(server) };
}
