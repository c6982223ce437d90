/**
 * `npm run ops -- <command> …`: pricing ops from a terminal, against the local stack that `npm start`
 * is running (found through its discovery file) or a deployed API (`--api-url` and `--token`, or
 * CLICKPRICE_API_URL and CLICKPRICE_OPS_TOKEN). Tables for people, `--json` for scripts.
 * Exit codes: 0 done, 1 the API refused or failed (its error printed), 2 bad usage.
 */
import { parsePositiveInteger, runCli, UsageError } from '../cli/args.js';
import type { OpsClient } from '../clients/ops-client.js';
import { OpsApiError, OpsApiUnreachable } from '../clients/ops-client.js';
import type { ConfigActionResult, ConfigToggleBody, PricingConfigView } from '../functions/domain/api-types.js';
import { STREAM_CONSUMERS, type StreamConsumer } from '../functions/domain/dead-letters.js';
import { mapConcurrent } from '../functions/lib/map-concurrent.js';
import { resolveClient } from './cli-target.js';
import { DLQ_OPTIONS, DLQ_SUMMARY, DLQ_USAGE, RedriveFailed } from './dlq/dlq-command-line.js';
import { changesTable, money, pipelineText, productDetail, productsTable, redriveText, table, time } from './format.js';
import {
  type OptionSpecs,
  type ParsedOptions,
  parseDay,
  parseDuration,
  parseInstant,
  parseMoney,
  parseOpsCommandLine,
  parseSwitch,
} from './parse-values.js';

/** What a command prints: `json` for --json, `text` for people. */
interface Output {
  readonly json: unknown;
  /** `text` may be a function: extra reads only the table needs are made only when it is printed. */
  readonly text: string | (() => Promise<string>);
  /** Done, but not all of it (a dead letter whose batch failed again): exit 1. */
  readonly failed?: boolean;
}

/** A command's work, given the API to do it with. */
type Work = (client: OpsClient) => Promise<Output>;

interface Command {
  readonly usage: string;
  readonly summary: string;
  readonly options?: OptionSpecs;
  /**
   * Checks the arguments and returns the work. Every check is here, so a mistake is named before a
   * target is looked for (no local stack running would otherwise hide it) and before anything is sent.
   */
  plan(positionals: string[], options: ParsedOptions): Work;
}

const string = { type: 'string' } as const;
const reasonOption = { reason: string } as const;

/** The reason recorded with an action: the one given, or one naming the CLI command. */
function reasonOf(options: ParsedOptions, command: string): string {
  const reason = options.reason;
  return typeof reason === 'string' && reason.trim() !== '' ? reason : `ops CLI: ${command}`;
}

/** The reason an action must be given, for actions recorded with why. */
function requiredReason(options: ParsedOptions, command: string, what: string): string {
  const reason = optionalString(options, 'reason');
  if (reason === undefined || reason.trim() === '') {
    throw new UsageError(`${command} needs --reason "…": every ${what} is recorded with why`);
  }
  return reason;
}

function productIdOf(positionals: string[], command: string): string {
  const productId = positionals[0];
  if (productId === undefined) throw new UsageError(`${command} needs a product id, e.g. ${command} P00042`);
  if (positionals.length > 1) throw new UsageError(`${command} takes one product id; got ${positionals.join(' ')}`);
  return productId;
}

function optionalString(options: ParsedOptions, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

function requiredString(options: ParsedOptions, name: string, command: string): string {
  const value = optionalString(options, name);
  if (value === undefined) throw new UsageError(`${command} needs --${name}`);
  return value;
}

/** A count such as --limit or --max: every route takes 1 and up, so 0 is refused here, not by the API. */
function optionalCount(options: ParsedOptions, name: string): number | undefined {
  const value = optionalString(options, name);
  return value === undefined ? undefined : parsePositiveInteger(value, `--${name}`);
}

function noPositionals(positionals: string[], command: string): void {
  if (positionals.length > 0) throw new UsageError(`${command} takes no arguments; got ${positionals.join(' ')}`);
}

/** A flag the command has but this use of it does not: refused rather than silently ignored. */
function refuseFlag(options: ParsedOptions, name: string, message: string): void {
  if (options[name] !== undefined) throw new UsageError(message);
}

function actionText(result: {
  change: { action: string; changeId: string; oldPrice: number; newPrice: number; actor: string };
}) {
  const { change } = result;
  return `${change.action} recorded: ${money(change.oldPrice)} → ${money(change.newPrice)} by ${change.actor}\nchange id ${change.changeId}`;
}

/** A command that turns one pricing-config switch on or off, and says where it now stands. */
function configSwitch(
  name: string,
  summary: string,
  toggle: {
    set(client: OpsClient, body: ConfigToggleBody): Promise<ConfigActionResult>;
    label: string;
    isOn(config: PricingConfigView): boolean;
  },
): Command {
  return {
    usage: `${name} on|off [--reason "…"]`,
    summary,
    options: reasonOption,
    plan(positionals, options) {
      if (positionals.length !== 1) throw new UsageError(`${name} takes on or off`);
      const enabled = parseSwitch(positionals[0], name);
      const reason = reasonOf(options, `${name} ${positionals[0]}`);
      return async (client) => {
        const result = await toggle.set(client, { enabled, reason });
        return {
          json: result,
          text: `${toggle.label} ${toggle.isOn(result.config) ? 'ON' : 'off'}\nchange id ${result.change.changeId}`,
        };
      };
    },
  };
}

/** `pipeline`: each path's health. */
function planPipelineHealth(options: ParsedOptions): Work {
  refuseFlag(options, 'reason', 'pipeline takes --reason only with restart-glue or redrive-dlq');
  refuseFlag(options, 'max', 'pipeline takes --max only with redrive-dlq');
  return async (client) => {
    const health = await client.pipeline();
    return { json: health, text: pipelineText(health) };
  };
}

/** `pipeline redrive-dlq CONSUMER`: the API's redrive of a consumer's dead letters. */
function planRedrive(consumerName: string, options: ParsedOptions): Work {
  const consumer = consumerName as StreamConsumer;
  if (!STREAM_CONSUMERS.includes(consumer)) {
    throw new UsageError(`pipeline redrive-dlq needs ${STREAM_CONSUMERS.join(' or ')}; got ${consumerName}`);
  }
  const reason = requiredReason(options, 'pipeline redrive-dlq', 'redrive');
  const max = optionalCount(options, 'max');
  return async (client) => {
    const answer = await client.redriveDeadLetters({ consumer, reason, ...(max === undefined ? {} : { max }) });
    return {
      json: answer,
      text: `${redriveText(answer.outcomes)}\nchange id ${answer.change.changeId}`,
      failed: answer.outcomes.some((outcome) => outcome.outcome !== 'replayed'),
    };
  };
}

/** `pipeline restart-glue`: stop the Glue job's run and start the next. */
function planRestart(options: ParsedOptions): Work {
  refuseFlag(options, 'max', 'pipeline takes --max only with redrive-dlq');
  const reason = requiredReason(options, 'pipeline restart-glue', 'restart');
  return async (client) => {
    const answer = await client.restartGlue({ reason });
    const { restart } = answer;
    const text =
      restart.state === 'done'
        ? `Glue job restarted: run ${restart.newRunId} started (no run was active)`
        : restart.state === 'failed'
          ? `Glue job restart failed: ${restart.error}`
          : `Glue job restart asked for: stopping ${restart.stoppingRunIds.join(', ')}; the next run starts once it has stopped (npm run ops -- pipeline)`;
    return { json: answer, text: `${text}\nchange id ${answer.change.changeId}` };
  };
}

const commands: Record<string, Command> = {
  products: {
    usage: 'products [--category C] [--limit N]',
    summary: 'every product with its price, recent demand, state and last change',
    options: { category: string, limit: string },
    plan(positionals, options) {
      noPositionals(positionals, 'products');
      const limit = optionalCount(options, 'limit');
      const category = optionalString(options, 'category');
      return async (client) => {
        const products =
          limit === undefined
            ? await client.allProducts({ category })
            : (await client.listProducts({ category, limit })).products;
        return { json: products, text: productsTable(products) };
      };
    },
  },
  product: {
    usage: 'product P00042',
    summary: "one product's price, bounds, freeze, demand and last change",
    plan(positionals) {
      const productId = productIdOf(positionals, 'product');
      return async (client) => {
        const product = await client.getProduct(productId);
        return { json: product, text: productDetail(product) };
      };
    },
  },
  history: {
    usage: 'history P00042 [--from T] [--to T] [--limit N]',
    summary: "a product's price history, newest first, with reason, guardrail, source and actor",
    options: { from: string, to: string, limit: string },
    plan(positionals, options) {
      const productId = productIdOf(positionals, 'history');
      const from = optionalString(options, 'from');
      const to = optionalString(options, 'to');
      const query = {
        ...(from === undefined ? {} : { from: parseInstant(from, '--from') }),
        ...(to === undefined ? {} : { to: parseInstant(to, '--to') }),
      };
      const limit = optionalCount(options, 'limit');
      return async (client) => {
        const changes =
          limit === undefined
            ? await client.allHistory(productId, query)
            : (await client.history(productId, { ...query, limit })).changes;
        return {
          json: changes,
          // For the table, the product's currency too: a history row does not carry it.
          text: async () => {
            if (changes.length === 0) return 'no changes in that range';
            const { currency } = await client.getProduct(productId);
            return changesTable(changes, false, () => currency);
          },
        };
      };
    },
  },
  'price-at': {
    usage: 'price-at P00042 --at 2026-11-22T10:00:00Z',
    summary: 'the price a product had at an instant',
    options: { at: string },
    plan(positionals, options) {
      const productId = productIdOf(positionals, 'price-at');
      const at = parseInstant(requiredString(options, 'at', 'price-at'), '--at');
      return async (client) => {
        const answer = await client.priceAt(productId, at);
        return {
          json: answer,
          text: `${answer.productId} at ${time(answer.at)}: ${money(answer.price, answer.currency)}`,
        };
      };
    },
  },
  changes: {
    usage: 'changes [--minutes N] [--limit N]',
    summary: 'the live feed: recent changes across all products, newest first',
    options: { minutes: string, limit: string },
    plan(positionals, options) {
      noPositionals(positionals, 'changes');
      const query = { minutes: optionalCount(options, 'minutes'), limit: optionalCount(options, 'limit') };
      return async (client) => {
        const feed = await client.changes(query);
        return {
          json: feed,
          // For the table, each product's currency: a feed row does not carry it. Read once per product.
          text: async () => {
            if (feed.changes.length === 0) return `no changes since ${time(feed.since)}`;
            const ids = [...new Set(feed.changes.map((change) => change.productId))];
            const products = await mapConcurrent(ids, 8, (productId) => client.getProduct(productId));
            const currencies = new Map(products.map((product) => [product.productId, product.currency]));
            return changesTable(feed.changes, true, (productId) => currencies.get(productId));
          },
        };
      };
    },
  },
  quarantine: {
    usage: 'quarantine [--day YYYY-MM-DD] [--limit N]',
    summary: 'events set aside as malformed, with their reason and stream position',
    options: { day: string, limit: string },
    plan(positionals, options) {
      noPositionals(positionals, 'quarantine');
      const day = optionalString(options, 'day');
      const query = {
        day: day === undefined ? undefined : parseDay(day, '--day'),
        limit: optionalCount(options, 'limit'),
      };
      return async (client) => {
        const page = await client.quarantine(query);
        const rows = page.records.map((record) => [
          time(record.quarantinedAt),
          record.source,
          record.shardId,
          record.sequenceNumber,
          record.rawLocation === undefined
            ? String(record.rawBytes)
            : `${record.rawBytes} (whole at ${record.rawLocation})`,
          record.reason.length > 80 ? `${record.reason.slice(0, 79)}…` : record.reason,
        ]);
        return {
          json: page,
          text:
            rows.length === 0
              ? `nothing quarantined on ${page.day}`
              : table(['quarantined at', 'source', 'shard', 'sequence', 'bytes', 'reason'], rows, [4]),
        };
      };
    },
  },
  config: {
    usage: 'config',
    summary: 'kill switch, shadow mode and the policy settings',
    plan(positionals) {
      noPositionals(positionals, 'config');
      return async (client) => {
        const config = await client.config();
        return {
          json: config,
          text: `kill switch  ${config.killSwitch ? 'ON (automated pricing stopped)' : 'off'}\nshadow mode  ${config.shadowMode ? 'ON (decisions recorded, not applied)' : 'off'}\nversion      ${config.version}`,
        };
      };
    },
  },
  freeze: {
    usage: 'freeze P00042 [--for 2h | --until T] [--reason "supplier issue"]',
    summary: 'hold a price: automated changes are refused until it lapses or is unfrozen',
    options: { for: string, until: string, ...reasonOption },
    plan(positionals, options) {
      const productId = productIdOf(positionals, 'freeze');
      const duration = optionalString(options, 'for');
      const until = optionalString(options, 'until');
      if (duration !== undefined && until !== undefined)
        throw new UsageError('freeze takes --for or --until, not both');
      const reason = reasonOf(options, 'freeze');
      const body =
        duration !== undefined
          ? { reason, forSeconds: parseDuration(duration, '--for') }
          : { reason, until: until === undefined ? null : parseInstant(until, '--until') };
      return async (client) => {
        const result = await client.freeze(productId, body);
        const freeze = result.product.freeze;
        return {
          json: result,
          text: `${productId} frozen at ${money(result.product.price, result.product.currency)} until ${freeze?.until ? time(freeze.until) : 'unfrozen'}\nchange id ${result.change.changeId}`,
        };
      };
    },
  },
  unfreeze: {
    usage: 'unfreeze P00042 [--reason "…"]',
    summary: 'let automated pricing move the price again',
    options: reasonOption,
    plan(positionals, options) {
      const productId = productIdOf(positionals, 'unfreeze');
      const reason = reasonOf(options, 'unfreeze');
      return async (client) => {
        const result = await client.unfreeze(productId, { reason });
        return { json: result, text: `${productId} unfrozen\nchange id ${result.change.changeId}` };
      };
    },
  },
  bounds: {
    usage: 'bounds P00042 --floor 9.99 --ceiling 19.99 [--reason "…"]',
    summary: 'set the floor and ceiling automated pricing stays within',
    options: { floor: string, ceiling: string, ...reasonOption },
    plan(positionals, options) {
      const productId = productIdOf(positionals, 'bounds');
      const body = {
        reason: reasonOf(options, 'bounds'),
        floor: parseMoney(requiredString(options, 'floor', 'bounds'), '--floor'),
        ceiling: parseMoney(requiredString(options, 'ceiling', 'bounds'), '--ceiling'),
      };
      return async (client) => {
        const result = await client.setBounds(productId, body);
        return { json: result, text: actionText(result) };
      };
    },
  },
  'set-price': {
    usage: 'set-price P00042 --price 14.99 [--reason "…"]',
    summary: 'set a price by hand (within the bounds)',
    options: { price: string, ...reasonOption },
    plan(positionals, options) {
      const productId = productIdOf(positionals, 'set-price');
      const body = {
        reason: reasonOf(options, 'set-price'),
        price: parseMoney(requiredString(options, 'price', 'set-price'), '--price'),
      };
      return async (client) => {
        const result = await client.setPrice(productId, body);
        return { json: result, text: actionText(result) };
      };
    },
  },
  rollback: {
    usage: 'rollback P00042 --to <changeId> [--reason "…"]',
    summary: 'undo a change: the price returns to what it was just before it',
    options: { to: string, ...reasonOption },
    plan(positionals, options) {
      const productId = productIdOf(positionals, 'rollback');
      const body = {
        reason: reasonOf(options, 'rollback'),
        toChangeId: requiredString(options, 'to', 'rollback'),
      };
      return async (client) => {
        const result = await client.rollback(productId, body);
        return { json: result, text: actionText(result) };
      };
    },
  },
  pipeline: {
    usage: 'pipeline [restart-glue --reason "…" | redrive-dlq clickstream|aggregates --reason "…" [--max N]]',
    summary:
      "each path's health (the Glue job's run and last batch; the fast path's mapping, last hour and dead letters); restart the Glue job; redrive a consumer's dead letters",
    options: { ...reasonOption, max: string },
    plan(positionals, options) {
      const [action, ...rest] = positionals;
      if (action === undefined) return planPipelineHealth(options);
      if (action === 'redrive-dlq' && rest.length === 1) return planRedrive(rest[0] as string, options);
      if (action === 'restart-glue' && rest.length === 0) return planRestart(options);
      throw new UsageError(
        `pipeline takes no argument, restart-glue, or redrive-dlq CONSUMER; got ${positionals.join(' ')}`,
      );
    },
  },
  'kill-switch': configSwitch('kill-switch', 'stop (on) or resume (off) every automated price change', {
    set: (client, body) => client.setKillSwitch(body),
    label: 'kill switch',
    isOn: (config) => config.killSwitch,
  }),
  'shadow-mode': configSwitch('shadow-mode', 'record decisions without applying them (on), or apply them again (off)', {
    set: (client, body) => client.setShadowMode(body),
    label: 'shadow mode',
    isOn: (config) => config.shadowMode,
  }),
};

const GLOBAL_OPTIONS = {
  'api-url': string,
  token: string,
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

function helpText(): string {
  const width = Math.max(...Object.values(commands).map((command) => command.usage.length));
  return [
    'usage: npm run ops -- <command> [options] [--json] [--api-url URL --token TOKEN]',
    '',
    ...Object.values(commands).map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`),
    '',
    `  ${DLQ_USAGE}`,
    ...DLQ_SUMMARY.map((line) => `      ${line}`),
    '',
    'Target: the local stack `npm start` is running, unless --api-url/--token (or CLICKPRICE_API_URL and',
    'CLICKPRICE_OPS_TOKEN) name a deployed API. Amounts are in currency units (12.99); times are ISO-8601.',
  ].join('\n');
}

/**
 * The command's name and its arguments. Global flags may come before the command too (`ops --json
 * products`): they are moved after it. Any other flag there is the command's, and is said to go after it.
 */
function splitCommand(argv: readonly string[]): { name: string | undefined; rest: string[] } {
  const leading: string[] = [];
  let index = 0;
  for (; index < argv.length && argv[index]?.startsWith('-'); index++) {
    const arg = argv[index] as string;
    const flag = arg.split('=')[0] as string;
    const globalName = flag.replace(/^--/, '');
    const global = Object.hasOwn(GLOBAL_OPTIONS, globalName)
      ? GLOBAL_OPTIONS[globalName as keyof typeof GLOBAL_OPTIONS]
      : undefined;
    if (!flag.startsWith('--') || global === undefined) {
      throw new UsageError(
        `${flag} goes after the command: npm run ops -- <command> ${flag} … (npm run ops -- --help)`,
      );
    }
    leading.push(arg);
    // `--api-url URL`: the value moves with its flag.
    if (global.type === 'string' && !arg.includes('=') && index + 1 < argv.length)
      leading.push(argv[++index] as string);
  }
  const [name, ...rest] = argv.slice(index);
  return { name, rest: [...leading, ...rest] };
}

/** `dlq …`: acts on the stream consumers, not through the API: its own target (SQS and Lambda, or the local stack). */
async function runDlq(args: string[]): Promise<void> {
  const parsed = parseOpsCommandLine(
    args,
    { ...DLQ_OPTIONS, json: { type: 'boolean' }, help: { type: 'boolean' } },
    DLQ_USAGE,
  );
  if (parsed.values.help) {
    console.log([`usage: npm run ops -- ${DLQ_USAGE}`, ...DLQ_SUMMARY].join('\n'));
    return;
  }
  const { runDlqCommand } = await import('./dlq/dlq-command.js');
  try {
    const output = await runDlqCommand(parsed.positionals, parsed.values);
    console.log(parsed.values.json ? JSON.stringify(output.json, null, 2) : output.text);
    // Dead letters left (a batch that failed again, a message that is no on-failure record): exit 1.
    if (output.failed) process.exitCode = 1;
  } catch (error) {
    if (!(error instanceof RedriveFailed)) throw error;
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  }
}

/** The API refused, or gave no answer: one line (and the API's error body for --json), exit 1. Else a bug. */
function reportApiFailure(error: unknown, json: boolean): void {
  if (error instanceof OpsApiError) {
    if (json) console.log(JSON.stringify({ status: error.status, ...error.body }, null, 2));
    console.error(`error: ${error.status} ${error.body.message}${error.field ? ` (field: ${error.field})` : ''}`);
  } else if (error instanceof OpsApiUnreachable) {
    console.error(`error: ${error.message}`);
  } else {
    throw error;
  }
  process.exitCode = 1;
}

await runCli(async () => {
  const argv = process.argv.slice(2);
  if (argv[0] === '-h' || argv[0] === 'help') {
    console.log(helpText());
    return;
  }
  const { name, rest } = splitCommand(argv);
  // No command (`ops`, `ops --help`): what there is. Other flags alone are a command left out.
  if (name === undefined) {
    const given = rest.find((arg) => arg !== '--help' && arg !== '-h');
    if (given !== undefined) {
      throw new UsageError(`${given} needs a command: npm run ops -- <command> [options] (npm run ops -- --help)`);
    }
    console.log(helpText());
    return;
  }
  if (name === 'dlq') return runDlq(rest);
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}\n${helpText()}`);
  const parsed = parseOpsCommandLine(rest, { ...GLOBAL_OPTIONS, ...command.options }, command.usage);
  if (parsed.values.help) {
    console.log(`usage: npm run ops -- ${command.usage}\n${command.summary}`);
    return;
  }
  const work = command.plan(parsed.positionals, parsed.values);
  const client = resolveClient(parsed.values);
  try {
    const output = await work(client);
    if (parsed.values.json) console.log(JSON.stringify(output.json, null, 2));
    else console.log(typeof output.text === 'string' ? output.text : await output.text());
    if (output.failed) process.exitCode = 1;
  } catch (error) {
    reportApiFailure(error, parsed.values.json === true);
  }
});
