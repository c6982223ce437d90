import { randomUUID } from 'node:crypto';
import { tables } from '../../definitions/resources.js';
import { ConflictError } from '../domain/errors.js';
import { type ConfigToggleRequest, configToggleRequestSchema } from '../domain/ops-requests.js';
import type { PriceChange } from '../domain/price-change.js';
import { globalOpsRowOf } from '../domain/price-history.js';
import { type PricingConfig, pricingConfigSchema } from '../domain/pricing-config.js';
import { POLICY_VERSION } from '../domain/pricing-policy.js';
import { toIso } from '../domain/time.js';
import { parseOrThrow } from '../domain/validation.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { historyPut } from './price-history-store.js';
import { isConditionFailure } from './transaction-errors.js';

const CONFIG_KEY = tables.pricingConfig.partitionKey.name;
/** The pricing config is one item: policies read it whole, and one version guards it. */
export const PRICING_CONFIG_ITEM = 'pricing';

/** The config as stored: the policy's config plus the version that guards concurrent edits. */
export interface StoredPricingConfig {
  readonly config: PricingConfig;
  /** 0 until the item is first written. */
  readonly version: number;
}

export interface PricingConfigStoreOptions {
  /**
   * How long a read config is reused. Safe to cache: every automated price write also checks, in its
   * own transaction, that the kill switch and shadow mode are still off.
   * @default 5000
   */
  readonly cacheTtlMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** Reads the pricing config (cached), and switches the kill switch and shadow mode with an audit row. */
export class PricingConfigStore {
  private cached: { value: StoredPricingConfig; readAt: number } | undefined;
  private readonly cacheTtlMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly client: DynamoDbDocuments,
    private readonly tableNames: { readonly pricingConfig: string; readonly priceHistory: string },
    options: PricingConfigStoreOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? 5_000;
    this.clock = options.clock ?? Date.now;
  }

  async get(): Promise<PricingConfig> {
    return (await this.getStored()).config;
  }

  async getStored(): Promise<StoredPricingConfig> {
    const now = this.clock();
    if (this.cached && now - this.cached.readAt < this.cacheTtlMs) return this.cached.value;
    const { Item } = await this.client.get({
      TableName: this.tableNames.pricingConfig,
      Key: this.key(),
      ConsistentRead: true,
    });
    const { [CONFIG_KEY]: _key, version, updatedAt: _at, updatedBy: _by, ...stored } = Item ?? {};
    const value = { config: pricingConfigSchema.parse(stored), version: typeof version === 'number' ? version : 0 };
    this.cached = { value, readAt: now };
    return value;
  }

  /** Forgets the cached config, so the next read sees the table (after a failed config check). */
  invalidate(): void {
    this.cached = undefined;
  }

  /**
   * The transaction item that keeps an automated price write from landing once the kill switch or
   * shadow mode is on, however old the config the decision was made with.
   */
  automationAllowedCheck() {
    return {
      ConditionCheck: {
        TableName: this.tableNames.pricingConfig,
        Key: this.key(),
        // A missing attribute (or item) compares unequal, so "never set" counts as off.
        ConditionExpression: 'NOT (killSwitch = :on) AND NOT (shadowMode = :on)',
        ExpressionAttributeValues: { ':on': true },
      },
    };
  }

  setKillSwitch(request: ConfigToggleRequest): Promise<PriceChange> {
    return this.toggle('killSwitch', request);
  }

  setShadowMode(request: ConfigToggleRequest): Promise<PriceChange> {
    return this.toggle('shadowMode', request);
  }

  /** Writes the flag and its history row in one transaction, conditioned on the version read. */
  private async toggle(flag: 'killSwitch' | 'shadowMode', input: ConfigToggleRequest): Promise<PriceChange> {
    const request = parseOrThrow(configToggleRequestSchema, input);
    for (let attempt = 1; attempt <= 5; attempt++) {
      this.invalidate();
      const stored = await this.getStored();
      const at = toIso(this.clock());
      const version = stored.version + 1;
      const name = flag === 'killSwitch' ? 'kill_switch' : 'shadow_mode';
      const row = globalOpsRowOf({
        changedAt: at,
        decisionId: `ops-${randomUUID()}`,
        reasonCode: `${name}_${request.enabled ? 'on' : 'off'}`,
        explanation: `${flag} ${request.enabled ? 'on' : 'off'} (was ${stored.config[flag] ? 'on' : 'off'}): ${request.reason}`,
        policyVersion: POLICY_VERSION,
        actor: request.actor,
        version,
      });
      try {
        await this.client.transactWrite({
          TransactItems: [
            {
              Update: {
                TableName: this.tableNames.pricingConfig,
                Key: this.key(),
                UpdateExpression: 'SET #flag = :enabled, version = :next, updatedAt = :at, updatedBy = :actor',
                ConditionExpression: stored.version === 0 ? 'attribute_not_exists(version)' : 'version = :read',
                ExpressionAttributeNames: { '#flag': flag },
                ExpressionAttributeValues: {
                  ':enabled': request.enabled,
                  ':next': version,
                  ':at': at,
                  ':actor': request.actor,
                  ...(stored.version === 0 ? {} : { ':read': stored.version }),
                },
              },
            },
            historyPut(this.tableNames.priceHistory, row),
          ],
        });
        this.invalidate();
        return row;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new ConflictError(`the pricing config kept changing while setting ${flag}; try again`);
  }

  private key() {
    return { [CONFIG_KEY]: PRICING_CONFIG_ITEM };
  }
}
