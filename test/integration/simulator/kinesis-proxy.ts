import { once } from 'node:events';
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** One PutRecords entry as it crosses the wire (data in base64). */
export interface WireEntry {
  readonly PartitionKey: string;
  readonly Data: string;
}

export interface KinesisProxyOptions {
  /** An error code to refuse this entry with, every time it is sent, or null to pass it on. */
  readonly refuse?: (entry: WireEntry) => string | null;
  /** From this PutRecords call on (0-based), answer each with ResourceNotFoundException, as for a deleted stream. */
  readonly streamGoneFromCall?: number;
  /** Holds each PutRecords call this long before passing it on: a slow stream. */
  readonly delayMs?: number;
}

/** What the proxy did with PutRecords calls. */
export interface KinesisProxyStats {
  putRecordsCalls: number;
  /** Entries refused, by `PartitionKey Data`. */
  readonly refused: Map<string, number>;
}

export const wireKey = (entry: WireEntry) => `${entry.PartitionKey} ${entry.Data}`;

async function body(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Sends a request on to kinesalite and returns its status, headers and body. */
async function forward(target: URL, incoming: IncomingMessage, payload: Buffer) {
  const outgoing = request(target, {
    method: incoming.method,
    path: incoming.url,
    headers: { ...incoming.headers, host: target.host, 'content-length': String(payload.length) },
  });
  outgoing.end(payload);
  const [response] = (await once(outgoing, 'response')) as [IncomingMessage];
  return { status: response.statusCode ?? 500, headers: response.headers, payload: await body(response) };
}

/**
 * A loopback HTTP proxy in front of kinesalite that makes PutRecords misbehave the way Kinesis can:
 * entries refused (the rest stored by kinesalite, the answers merged as Kinesis merges them), a
 * stream that is gone, a slow stream. Every other call passes through untouched.
 */
export async function startKinesisProxy(kinesisEndpoint: string, options: KinesisProxyOptions = {}) {
  const target = new URL(kinesisEndpoint);
  const stats: KinesisProxyStats = { putRecordsCalls: 0, refused: new Map() };
  const server = createServer(async (incoming, reply) => {
    try {
      const payload = await body(incoming);
      const isPutRecords = String(incoming.headers['x-amz-target'] ?? '').endsWith('.PutRecords');
      if (!isPutRecords) {
        const answer = await forward(target, incoming, payload);
        reply.writeHead(answer.status, answer.headers).end(answer.payload);
        return;
      }
      const call = stats.putRecordsCalls++;
      if (options.delayMs) await delay(options.delayMs);
      const input = JSON.parse(payload.toString('utf8')) as { StreamName: string; Records: WireEntry[] };
      if (options.streamGoneFromCall !== undefined && call >= options.streamGoneFromCall) {
        const message = `Stream ${input.StreamName} under account 000000000000 not found.`;
        reply
          .writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ __type: 'ResourceNotFoundException', message }));
        return;
      }
      const codes = input.Records.map((entry) => options.refuse?.(entry) ?? null);
      const passed = input.Records.filter((_, index) => codes[index] === null);
      let stored: { ErrorCode?: string }[] = [];
      if (passed.length > 0) {
        const answer = await forward(target, incoming, Buffer.from(JSON.stringify({ ...input, Records: passed })));
        if (answer.status !== 200) {
          reply.writeHead(answer.status, answer.headers).end(answer.payload);
          return;
        }
        stored = (JSON.parse(answer.payload.toString('utf8')) as { Records: { ErrorCode?: string }[] }).Records;
      }
      const records = input.Records.map((entry, index) => {
        const code = codes[index];
        if (code === null || code === undefined) return stored.shift();
        stats.refused.set(wireKey(entry), (stats.refused.get(wireKey(entry)) ?? 0) + 1);
        return { ErrorCode: code, ErrorMessage: 'refused by the test proxy' };
      });
      const failed = records.filter((record) => record?.ErrorCode !== undefined).length;
      reply
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ FailedRecordCount: failed, Records: records }));
    } catch (error) {
      reply.writeHead(500).end(String(error));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
