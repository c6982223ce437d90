import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it arrived. */
export interface CapturedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What the server answers, until told otherwise. */
export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/**
 * A loopback server standing in for an AWS endpoint: it keeps every request as it arrived and gives
 * the canned answers in turn (the last one again once they run out), for tests of requests made
 * without an SDK client.
 */
export async function startCapturingServer(answer: CannedAnswer) {
  const captured: CapturedRequest[] = [];
  let answers = [answer];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    captured.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks),
    });
    const next = (answers.length > 1 ? answers.shift() : answers[0]) as CannedAnswer;
    response.writeHead(next.status, next.headers);
    response.end(next.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    captured,
    answer(...next: [CannedAnswer, ...CannedAnswer[]]) {
      answers = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
