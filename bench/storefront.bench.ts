/**
 * Storefront price reads over HTTP on the local stack (issue 7): the local API Gateway → the
 * storefront handler module Lambda runs → DynamoDB Local. One keep-alive connection, one request in
 * flight, so each sample is a request's own latency (no queueing behind others): a single price
 * GET /prices/{id} over random products, and a 50-id batch GET /prices?ids=… of random products.
 * Latency is client-side, from writing the request to the last byte of the answer.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { toIso } from '../functions/domain/time.js';
import { type HttpGateway, loadApiHandlers, startHttpGateway } from '../local/http-gateway.js';
import { LocalJwtAuthorizer } from '../local/local-jwt-authorizer.js';
import { localStackEnvironment, startLocalStack } from '../local/local-stack.js';
import { generateCatalogue } from '../simulator/catalogue.js';
import { loadCatalogue } from '../simulator/catalogue-loader.js';
import type { BenchResult } from './run.js';

/** BENCH_PRODUCTS, BENCH_SINGLE_REQUESTS and BENCH_BATCH_REQUESTS vary the run. */
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 1_000);
const SINGLE_REQUESTS = Number(process.env.BENCH_SINGLE_REQUESTS ?? 3_000);
const BATCH_REQUESTS = Number(process.env.BENCH_BATCH_REQUESTS ?? 600);
const BATCH_SIZE = 50;
/** Untimed requests first: DynamoDB Local is a JVM, and its first thousand or so requests run cold. */
const WARM_UP_SINGLE = 1_000;
const WARM_UP_BATCH = 100;
const TARGETS = { singleP99Ms: 10, batchP99Ms: 25 } as const;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** One GET on the keep-alive agent: its status and latency in ms. */
function timedGet(agent: Agent, url: string): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const outgoing = request(url, { agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - startedAt }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** `count` timed requests (after `warmUp` untimed ones), sorted latencies; any non-200 aborts the run. */
async function measure(agent: Agent, count: number, warmUp: number, nextUrl: () => string): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < warmUp + count; index++) {
    const url = nextUrl();
    const { status, ms } = await timedGet(agent, url);
    if (status !== 200) throw new Error(`GET ${url} answered ${status}`);
    if (index >= warmUp) latencies.push(ms);
  }
  return latencies.sort((a, b) => a - b);
}

export async function run(): Promise<BenchResult> {
  const stack = await startLocalStack();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let gateway: HttpGateway | undefined;
  try {
    const catalogue = generateCatalogue(toIso(Date.now()), { productCount: PRODUCTS });
    await loadCatalogue(stack.clients.documentClient, stack.tableNames.products, catalogue);
    const ids = catalogue.map((product) => product.productId);
    const randomId = () => ids[Math.floor(Math.random() * ids.length)] as string;

    // The handler module reads its tables and endpoint at import, so the environment comes first.
    Object.assign(process.env, localStackEnvironment(stack));
    gateway = await startHttpGateway({ handlers: await loadApiHandlers(), authorizer: new LocalJwtAuthorizer() });
    const { url } = gateway;

    const single = await measure(agent, SINGLE_REQUESTS, WARM_UP_SINGLE, () => `${url}/prices/${randomId()}`);
    const batch = await measure(agent, BATCH_REQUESTS, WARM_UP_BATCH, () => {
      const chosen = new Set<string>();
      while (chosen.size < BATCH_SIZE) chosen.add(randomId());
      return `${url}/prices?ids=${[...chosen].join(',')}`;
    });

    const singleP99Ms = round(percentile(single, 99));
    const batchP99Ms = round(percentile(batch, 99));
    return {
      products: PRODUCTS,
      singleRequests: single.length,
      singleP50Ms: round(percentile(single, 50)),
      singleP99Ms,
      singleMaxMs: round(single.at(-1) ?? Number.NaN),
      batchSize: BATCH_SIZE,
      batchRequests: batch.length,
      batchP50Ms: round(percentile(batch, 50)),
      batchP99Ms,
      batchMaxMs: round(batch.at(-1) ?? Number.NaN),
      targets: {
        singleP99Ms: { target: TARGETS.singleP99Ms, met: singleP99Ms <= TARGETS.singleP99Ms },
        batchP99Ms: { target: TARGETS.batchP99Ms, met: batchP99Ms <= TARGETS.batchP99Ms },
      },
    };
  } finally {
    agent.destroy();
    await gateway?.stop();
    await stack.stop();
  }
}
