/**
 * Seeds the catalogue into a products table in AWS (or any endpoint), with the same code the local
 * stack uses. Credentials and region come from the standard AWS SDK chain.
 *
 *   npm run seed -- --table <products table name> [--region eu-west-1] [--seed 42] [--count 240]
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseFlags, parsePositiveInteger, runCli, UsageError } from '../cli/args.js';
import { toIso } from '../functions/domain/time.js';
import { generateCatalogue } from './catalogue.js';
import { loadCatalogue } from './catalogue-loader.js';

const USAGE = 'usage: npm run seed -- --table <products table name> [--region eu-west-1] [--seed 42] [--count 240]';

await runCli(async () => {
  const values = parseFlags(
    process.argv.slice(2),
    {
      table: { type: 'string' },
      region: { type: 'string' },
      seed: { type: 'string', default: '42' },
      count: { type: 'string', default: '240' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.table) {
    throw new UsageError('--table <products table name> is required (see the clickprice-stateful stack outputs)');
  }
  const products = generateCatalogue(toIso(Date.now()), {
    seed: parsePositiveInteger(values.seed, '--seed'),
    productCount: parsePositiveInteger(values.count, '--count'),
  });
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: values.region }));
  try {
    const result = await loadCatalogue(client, values.table, products);
    console.log(JSON.stringify({ table: values.table, ...result }));
  } finally {
    client.destroy();
  }
  return 0;
});
