/**
 * What a function's signed AWS calls sign and send with, found as an SDK client finds it, without
 * bundling a client: the default credential chain (on Lambda its first link, the environment, answers),
 * SHA-256 from node:crypto, a keep-alive HTTP handler, and the region and attempts of the environment.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { SdkClientConfig } from './signed-aws-request.js';

/** The SDK's default in standard retry mode. */
const DEFAULT_MAX_ATTEMPTS = 3;

export function environmentAwsConfig(environment: NodeJS.ProcessEnv = process.env): SdkClientConfig {
  const region = environment.AWS_REGION;
  const attempts = maxAttempts(environment.AWS_MAX_ATTEMPTS);
  return {
    credentials: defaultProvider(),
    sha256: Sha256,
    region: async () => {
      if (!region) throw new Error('environment variable AWS_REGION is not set');
      return region;
    },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: async () => attempts,
  };
}

/** AWS_MAX_ATTEMPTS as the SDK reads it: a whole number of at least 1, or the default when unset. */
function maxAttempts(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_MAX_ATTEMPTS;
  const attempts = Number(value);
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new Error(`environment variable AWS_MAX_ATTEMPTS must be a whole number of at least 1, not "${value}"`);
  }
  return attempts;
}
