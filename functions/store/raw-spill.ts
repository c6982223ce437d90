/**
 * Where the raw bytes of a bad record go when they are too big for its quarantine item: an S3
 * bucket encrypted with its own KMS key in AWS, a folder locally. The key is derived from the
 * record's stream position, so a redelivered record overwrites the same object.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { S3ObjectWriter, type SdkClientConfig } from './s3-object-writer.js';

/** The bucket CDK gives the clickstream function. */
export const QUARANTINE_SPILL_BUCKET_ENV = 'QUARANTINE_SPILL_BUCKET';
/** The folder the local stack gives it instead. */
export const QUARANTINE_SPILL_DIR_ENV = 'QUARANTINE_SPILL_DIR';

export interface RawSpill {
  /** Keeps `data` under `key`; resolves to where it is (`s3://…` or `file://…`). */
  put(key: string, data: Uint8Array): Promise<string>;
}

/** Locally: a file per key under `dir`, written whole or not at all. */
export function folderSpill(dir: string): RawSpill {
  const root = resolve(dir);
  return {
    async put(key, data) {
      const path = resolve(root, key);
      if (!path.startsWith(`${root}/`)) throw new Error(`spill key ${JSON.stringify(key)} leaves ${root}`);
      await mkdir(dirname(path), { recursive: true });
      const partial = `${path}.${process.pid}.partial`;
      await writeFile(partial, data);
      await rename(partial, path);
      return pathToFileURL(path).toString();
    },
  };
}

/** In AWS: an object per key in `bucket`, written with the client's credentials. */
export function s3Spill(config: SdkClientConfig, bucket: string, endpoint = process.env.AWS_ENDPOINT_URL_S3): RawSpill {
  const writer = new S3ObjectWriter(config, { bucket, ...(endpoint ? { endpoint } : {}) });
  return { put: (key, data) => writer.put(key, data) };
}

/** The spill the environment names (bucket, else folder); null when it names none. */
export function rawSpillFromEnv(config: SdkClientConfig, env: NodeJS.ProcessEnv = process.env): RawSpill | null {
  const bucket = env[QUARANTINE_SPILL_BUCKET_ENV];
  if (bucket) return s3Spill(config, bucket, env.AWS_ENDPOINT_URL_S3);
  const dir = env[QUARANTINE_SPILL_DIR_ENV];
  return dir ? folderSpill(dir) : null;
}

/** The spill key of a record: its day, consumer, shard and sequence number (all S3-safe). */
export function spillKey(day: string, source: string, shardId: string, sequenceNumber: string): string {
  const safe = (part: string) => part.replace(/[^A-Za-z0-9_.-]/g, '_');
  return join('quarantine', safe(day), safe(source), safe(shardId), `${safe(sequenceNumber)}.bin`);
}
