/**
 * Which API the ops CLI talks to: `--api-url`/`--token`, else CLICKPRICE_API_URL and
 * CLICKPRICE_OPS_TOKEN, else the local stack that `npm start` advertises.
 */

import { UsageError } from '../cli/args.js';
import { OpsClient } from '../clients/ops-client.js';
import { discoveryPath, readDiscovery } from '../local/api-discovery.js';
import { httpUrl, type ParsedOptions } from './parse-values.js';

export function resolveClient(options: ParsedOptions, environment: NodeJS.ProcessEnv = process.env): OpsClient {
  const flagUrl = stringOption(options['api-url']);
  const url = flagUrl ?? stringOption(environment.CLICKPRICE_API_URL);
  const token = stringOption(options.token) ?? stringOption(environment.CLICKPRICE_OPS_TOKEN);
  if (url !== undefined || token !== undefined) {
    if (url === undefined) throw new UsageError('--token needs --api-url (or CLICKPRICE_API_URL) too');
    if (token === undefined)
      throw new UsageError('--api-url needs --token (or CLICKPRICE_OPS_TOKEN): an ops access token');
    return new OpsClient({ baseUrl: httpUrl(url, flagUrl === undefined ? 'CLICKPRICE_API_URL' : '--api-url'), token });
  }
  const local = readDiscovery(discoveryPath(environment));
  if (local === null) {
    throw new UsageError(
      'no local stack is running: start one with `npm start` (in another terminal), or pass --api-url and --token',
    );
  }
  return new OpsClient({ baseUrl: local.url, token: local.token });
}

function stringOption(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
