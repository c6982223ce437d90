/**
 * DynamoDB's item operations as lib-dynamodb's document client offers them (plain JavaScript values
 * in and out, marshalled by the SDK's own util-dynamodb), sent as signed AWS JSON 1.0 calls. The
 * SDK's DynamoDB and document clients and the SDK runtime only they used were 126 KB of the
 * clickstream function's bundle (345 KB with them, 219 KB without, as `cdk synth` builds it); what
 * the stores call of them is these eight operations. Errors are thrown as the SDK throws them: named by their
 * type, with the answer's fields (a canceled transaction's `CancellationReasons`, a failed
 * condition's `Item`) on the error. test/integration/store/dynamodb-documents.test.ts holds each
 * operation to the SDK's document client against DynamoDB Local.
 */
import { randomUUID } from 'node:crypto';
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  BatchWriteCommandInput,
  BatchWriteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  TransactWriteCommandInput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, type marshallOptions, unmarshall } from '@aws-sdk/util-dynamodb';
import { type AwsJsonProtocol, AwsJsonService, type SdkClientConfig } from './signed-aws-request.js';

/** An operation's answer without the SDK's `$metadata`. */
type Answer<T> = Omit<T, '$metadata'>;

/** What the stores call of DynamoDB: lib-dynamodb's inputs and outputs, one method per operation. */
export interface DynamoDbDocuments {
  get(input: GetCommandInput): Promise<Answer<GetCommandOutput>>;
  put(input: PutCommandInput): Promise<Answer<PutCommandOutput>>;
  update(input: UpdateCommandInput): Promise<Answer<UpdateCommandOutput>>;
  query(input: QueryCommandInput): Promise<Answer<QueryCommandOutput>>;
  scan(input: ScanCommandInput): Promise<Answer<ScanCommandOutput>>;
  transactWrite(input: TransactWriteCommandInput): Promise<void>;
  batchWrite(input: BatchWriteCommandInput): Promise<Answer<BatchWriteCommandOutput>>;
  batchGet(input: BatchGetCommandInput): Promise<Answer<BatchGetCommandOutput>>;
}

type Item = Record<string, unknown>;
/** An AttributeValue map as DynamoDB's JSON carries it. */
type Wire = Record<string, unknown>;

/**
 * Undefined attributes are left out, as the stores' document clients were configured: an optional
 * field a row lacks is no attribute, not an error.
 */
const MARSHALL: marshallOptions = { removeUndefinedValues: true };

const DYNAMODB: AwsJsonProtocol = {
  signingName: 'dynamodb',
  endpointId: 'DYNAMODB',
  endpointPrefix: 'dynamodb',
  version: '1.0',
  targetPrefix: 'DynamoDB_20120810',
};

/** The DynamoDB document calls over signed requests (`endpoint` undefined: the SDK's endpoint rules). */
export class SignedDynamoDbDocuments implements DynamoDbDocuments {
  private readonly dynamoDb: AwsJsonService;

  constructor(config: SdkClientConfig, endpoint: string | undefined) {
    this.dynamoDb = new AwsJsonService(config, DYNAMODB, endpoint);
  }

  async get(input: GetCommandInput): Promise<Answer<GetCommandOutput>> {
    return converted(await this.call('GetItem', wireInput(input)), 'Item', fromWire);
  }

  async put(input: PutCommandInput): Promise<Answer<PutCommandOutput>> {
    return converted(await this.call('PutItem', wireInput(input)), 'Attributes', fromWire);
  }

  async update(input: UpdateCommandInput): Promise<Answer<UpdateCommandOutput>> {
    return converted(await this.call('UpdateItem', wireInput(input)), 'Attributes', fromWire);
  }

  async query(input: QueryCommandInput): Promise<Answer<QueryCommandOutput>> {
    return this.page('Query', input);
  }

  async scan(input: ScanCommandInput): Promise<Answer<ScanCommandOutput>> {
    return this.page('Scan', input);
  }

  /**
   * With an idempotency token, as the SDK sends it (one per call, the same on each of its attempts):
   * a transaction that committed but whose answer was lost succeeds again when retried, instead of
   * being canceled by its own conditions, which the stores would read as a lost race.
   */
  async transactWrite(input: TransactWriteCommandInput): Promise<void> {
    const TransactItems = (input.TransactItems ?? []).map((item) => {
      const wire: Wire = {};
      for (const [kind, operation] of Object.entries(item)) {
        if (operation !== undefined) wire[kind] = wireInput(operation as Item);
      }
      return wire;
    });
    await this.call('TransactWriteItems', {
      ...input,
      TransactItems,
      ClientRequestToken: input.ClientRequestToken ?? randomUUID(),
    });
  }

  async batchWrite(input: BatchWriteCommandInput): Promise<Answer<BatchWriteCommandOutput>> {
    const answer = await this.call('BatchWriteItem', {
      ...input,
      RequestItems: mapTables(input.RequestItems, (requests) => requests.map(writeRequest(toWire))),
    });
    return converted(answer, 'UnprocessedItems', (tables: Record<string, Wire[]>) =>
      mapTables(tables, (requests) => requests.map(writeRequest(fromWire))),
    );
  }

  async batchGet(input: BatchGetCommandInput): Promise<Answer<BatchGetCommandOutput>> {
    const answer = await this.call('BatchGetItem', {
      ...input,
      RequestItems: mapTables(input.RequestItems, (request) => ({
        ...request,
        Keys: request.Keys?.map((key) => toWire(key)),
      })),
    });
    converted(answer, 'Responses', (tables: Record<string, Wire[]>) =>
      mapTables(tables, (items) => items.map(fromWire)),
    );
    return converted(answer, 'UnprocessedKeys', (tables: Record<string, Wire>) =>
      mapTables(tables, (request) => converted(request, 'Keys', (keys: Wire[]) => keys.map(fromWire))),
    );
  }

  private async page(
    operation: 'Query' | 'Scan',
    input: QueryCommandInput | ScanCommandInput,
  ): Promise<Answer<QueryCommandOutput>> {
    const answer = await this.call(operation, wireInput(input));
    converted(answer, 'Items', (items: Wire[]) => items.map(fromWire));
    return converted(answer, 'LastEvaluatedKey', fromWire);
  }

  private async call(operation: string, input: Item): Promise<Wire> {
    try {
      return await this.dynamoDb.call<Wire>(operation, input);
    } catch (error) {
      // As the SDK leaves them: the items an error carries stay AttributeValues, their bytes decoded.
      const { Item, CancellationReasons } = error as { Item?: unknown; CancellationReasons?: unknown };
      if (isWire(Item)) decodeBinaries(Item);
      if (Array.isArray(CancellationReasons)) {
        for (const reason of CancellationReasons) if (isWire(reason?.Item)) decodeBinaries(reason.Item);
      }
      throw error;
    }
  }
}

/** A map of plain values as AttributeValues (binary ones stay bytes: AwsJsonService sends them as base64). */
function toWire(values: Item | undefined): Wire | undefined {
  return values === undefined ? undefined : (marshall(values, MARSHALL) as Wire);
}

/** The fields of an operation's input that hold plain values, which lib-dynamodb marshals too. */
const VALUE_FIELDS = ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;

/** An operation's input (or a transaction's item) with its value fields marshalled. */
function wireInput(input: object): Item {
  const wire: Item = { ...input };
  for (const field of VALUE_FIELDS) {
    if (wire[field] !== undefined) wire[field] = toWire(wire[field] as Item);
  }
  return wire;
}

/**
 * The answer with its `field`, where present, converted in place: a field DynamoDB left out stays
 * out, as the SDK leaves it.
 */
// biome-ignore lint/suspicious/noExplicitAny: each operation's answer type, built field by field from JSON.
function converted<T>(answer: Wire, field: string, convert: (value: any) => unknown): T {
  if (answer[field] !== undefined) answer[field] = convert(answer[field]);
  return answer as T;
}

/** An AttributeValue map from JSON as plain values: base64 binary values decoded first. */
function fromWire(item: Wire): Item {
  return unmarshall(decodeBinaries(item) as Parameters<typeof unmarshall>[0]);
}

function isWire(value: unknown): value is Wire {
  return typeof value === 'object' && value !== null;
}

/** The map with its binary values' base64 decoded to bytes, in place. */
function decodeBinaries(item: Wire): Wire {
  for (const key in item) item[key] = decodeBinary(item[key] as Wire);
  return item;
}

function decodeBinary(value: Wire): Wire {
  if (typeof value.B === 'string') return { B: new Uint8Array(Buffer.from(value.B, 'base64')) };
  if (Array.isArray(value.BS)) return { BS: value.BS.map((b) => new Uint8Array(Buffer.from(String(b), 'base64'))) };
  if (Array.isArray(value.L)) return { L: value.L.map((element) => decodeBinary(element as Wire)) };
  if (isWire(value.M)) decodeBinaries(value.M);
  return value;
}

function writeRequest(convert: (item: Wire) => Wire | Item | undefined) {
  return (request: Item): Item => {
    const put = request.PutRequest as { Item: Wire } | undefined;
    const remove = request.DeleteRequest as { Key: Wire } | undefined;
    return {
      ...(put ? { PutRequest: { ...put, Item: convert(put.Item) } } : {}),
      ...(remove ? { DeleteRequest: { ...remove, Key: convert(remove.Key) } } : {}),
    };
  };
}

function mapTables<T, U>(
  tables: Record<string, T> | undefined,
  convert: (value: T) => U,
): Record<string, U> | undefined {
  if (tables === undefined) return undefined;
  const converted: Record<string, U> = {};
  for (const [table, value] of Object.entries(tables)) converted[table] = convert(value);
  return converted;
}
