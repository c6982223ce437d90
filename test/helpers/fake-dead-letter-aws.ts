import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../definitions/local-services.js';
import { LambdaApi } from '../../functions/store/lambda-api.js';

/**
 * Local fakes of the two AWS APIs a dead-letter redrive calls, at the HTTP level, so the code under
 * test uses the real @aws-sdk/client-sqs and the signed Lambda Invoke (lambda-api.ts): SQS's JSON protocol
 * (`X-Amz-Target: AmazonSQS.ReceiveMessage | DeleteMessage | ChangeMessageVisibility`, bodies with their MD5, as the client
 * checks) and Lambda's Invoke (`POST /2015-03-31/functions/{name}/invocations`, a failed function
 * answered with `X-Amz-Function-Error: Unhandled`). The function is a callback standing in for the
 * deployed one.
 */
export interface FakeDeadLetterAws {
  readonly sqs: SQSClient;
  readonly lambda: LambdaApi;
  readonly queueUrl: string;
  /** The queue's messages not deleted, by id. */
  readonly messages: Map<string, string>;
  /** Every call, as `Operation target`. */
  readonly calls: string[];
  close(): Promise<void>;
}

async function text(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
}

export async function startFakeDeadLetterAws(
  bodies: readonly string[],
  functionName: string,
  invoke: (event: unknown) => Promise<unknown>,
): Promise<FakeDeadLetterAws> {
  const messages = new Map(bodies.map((body, index) => [`m-${index + 1}`, body]));
  const inFlight = new Set<string>();
  const calls: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const body = await text(request);
    const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...headers });
      response.end(JSON.stringify(payload));
    };
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target.startsWith('AmazonSQS.')) {
      const operation = target.slice('AmazonSQS.'.length);
      const input = JSON.parse(body) as Record<string, unknown>;
      calls.push(`${operation} ${String(input.QueueUrl)}`);
      if (operation === 'ReceiveMessage') {
        const visible = [...messages].filter(([id]) => !inFlight.has(id));
        const taken = visible.slice(0, Number(input.MaxNumberOfMessages ?? 1));
        for (const [id] of taken) inFlight.add(id);
        json(200, {
          Messages: taken.map(([id, messageBody]) => ({
            MessageId: id,
            ReceiptHandle: `receipt-${id}`,
            Body: messageBody,
            MD5OfBody: createHash('md5').update(messageBody).digest('hex'),
          })),
        });
        return;
      }
      if (operation === 'DeleteMessage') {
        messages.delete(String(input.ReceiptHandle).replace(/^receipt-/, ''));
        json(200, {});
        return;
      }
      if (operation === 'ChangeMessageVisibility') {
        // Visible again at once (VisibilityTimeout 0): the next ReceiveMessage may take it.
        if (Number(input.VisibilityTimeout) === 0)
          inFlight.delete(String(input.ReceiptHandle).replace(/^receipt-/, ''));
        json(200, {});
        return;
      }
      json(400, { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: operation });
      return;
    }
    const invocation = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.url ?? '');
    if (request.method === 'POST' && invocation) {
      const name = decodeURIComponent(invocation[1] ?? '');
      calls.push(`Invoke ${name}`);
      if (name !== functionName) {
        json(
          404,
          { Type: 'User', message: `Function not found: ${name}` },
          { 'x-amzn-errortype': 'ResourceNotFoundException' },
        );
        return;
      }
      try {
        const result = await invoke(JSON.parse(body));
        response.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
        response.end(JSON.stringify(result ?? null));
      } catch (error) {
        response.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
        response.end(JSON.stringify({ errorType: 'Error', errorMessage: (error as Error).message }));
      }
      return;
    }
    json(404, { message: `no fake for ${request.method} ${request.url}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const common = {
    region: LOCAL_REGION,
    endpoint,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
  };
  const sqs = new SQSClient(common);
  const lambda = new LambdaApi(sqs.config, endpoint);
  return {
    sqs,
    lambda,
    queueUrl: `${endpoint}/000000000000/clickstream-dlq`,
    messages,
    calls,
    close: async () => {
      sqs.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
