import { createServer } from 'node:net';
import { LocalStackError } from './errors.js';

function listenOnce(port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

/** A port that was free on loopback a moment ago. */
export function findFreePort(): Promise<number> {
  return listenOnce(0, '127.0.0.1');
}

/**
 * Fails at once, with what to do, when a port the user asked for is taken. Checked on every
 * interface because DynamoDB Local binds them all.
 */
export async function assertPortFree(port: number, service: string, flag: string): Promise<void> {
  try {
    await listenOnce(port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new LocalStackError(
        `Port ${port} for ${service} is not available (${code}). Stop whatever holds it, pass ${flag} <another port>, or leave ${flag} out to pick a free port.`,
      );
    }
    throw error;
  }
}

/** Resolves the port to use: the requested one if free, else a free one chosen now. */
export async function choosePort(requested: number | undefined, service: string, flag: string): Promise<number> {
  if (requested === undefined) return findFreePort();
  await assertPortFree(requested, service, flag);
  return requested;
}
