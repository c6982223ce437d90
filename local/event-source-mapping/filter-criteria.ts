/**
 * Lambda event filtering (FilterCriteria) for stream records, without AWS imports.
 *
 * Lambda uses EventBridge's pattern syntax. This implements the comparison operators Lambda's
 * event-filtering guide lists (null, empty, equals, and/or, anything-but, numeric equals and ranges,
 * exists / does not exist, prefix) plus suffix and equals-ignore-case, and rejects every other
 * operator (wildcard, cidr, $or, anything-but with a nested operator, ...) at mapping creation, as
 * Lambda rejects an invalid pattern then, rather than silently matching nothing.
 */
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { MAPPING_LIMITS } from './constants.js';
import { FilterPatternError, InvalidMappingConfigError } from './errors.js';
import { type FilterCriteria, SourceKind } from './types.js';

const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='] as const;
type NumericOperator = (typeof NUMERIC_OPERATORS)[number];

/** The operators this filter implements; any other fails loudly. */
export const SUPPORTED_OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'anything-but',
  'numeric',
  'exists',
] as const;

type Literal = string | number | boolean | null;

type LeafRule =
  | { readonly op: 'equals'; readonly value: Literal }
  | { readonly op: 'prefix'; readonly value: string }
  | { readonly op: 'suffix'; readonly value: string }
  | { readonly op: 'equals-ignore-case'; readonly value: string }
  | { readonly op: 'anything-but'; readonly values: readonly (string | number)[] }
  | {
      readonly op: 'numeric';
      readonly comparisons: readonly { readonly op: NumericOperator; readonly value: number }[];
    }
  | { readonly op: 'exists'; readonly value: boolean };

interface PatternNode {
  readonly fields: ReadonlyMap<string, PatternNode | readonly LeafRule[]>;
}

/** One compiled Pattern. */
export interface CompiledPattern {
  readonly source: string;
  /** True when the pattern has a top-level rule on the source's data field (`data` or `dynamodb`). */
  readonly usesDataField: boolean;
  matches(subject: unknown): boolean;
}

/** What a stream record looks like to a filter. */
export interface FilterSubject {
  readonly fields: Readonly<Record<string, unknown>>;
  /** False when the data field is not JSON (a Kinesis record with a plain-text payload). */
  readonly dataIsJson: boolean;
}

/** Decides for one Lambda-shaped record whether it is delivered. */
export interface RecordFilter<TRecord> {
  readonly patterns: readonly CompiledPattern[];
  matches(record: TRecord): boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLiteral(value: unknown): value is Literal {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function compileNumeric(pattern: string, path: string, spec: unknown): LeafRule {
  const fail = (why: string) => new FilterPatternError(pattern, `${path}: numeric ${why}`);
  if (!Array.isArray(spec) || (spec.length !== 2 && spec.length !== 4)) {
    throw fail('takes [operator, number] or [lower operator, number, upper operator, number]');
  }
  const comparisons: { op: NumericOperator; value: number }[] = [];
  for (let index = 0; index < spec.length; index += 2) {
    const op = spec[index];
    const value = spec[index + 1];
    if (!NUMERIC_OPERATORS.includes(op))
      throw fail(`operator ${JSON.stringify(op)} is not one of ${NUMERIC_OPERATORS}`);
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw fail(`value ${JSON.stringify(value)} is not a number`);
    comparisons.push({ op, value });
  }
  const [lower, upper] = comparisons;
  if (upper && lower) {
    // EventBridge only accepts a range written low bound first, high bound second.
    if (!['>', '>='].includes(lower.op) || !['<', '<='].includes(upper.op) || lower.value >= upper.value) {
      throw fail('range must be [">" or ">=", low, "<" or "<=", high] with low < high');
    }
  }
  return { op: 'numeric', comparisons };
}

function compileOperator(pattern: string, path: string, rule: Record<string, unknown>): LeafRule {
  const keys = Object.keys(rule);
  const [operator] = keys;
  if (keys.length !== 1 || operator === undefined) {
    throw new FilterPatternError(
      pattern,
      `${path}: a rule object holds exactly one operator, got ${JSON.stringify(rule)}`,
    );
  }
  const spec = rule[operator];
  const unsupported = () =>
    new FilterPatternError(
      pattern,
      `${path}: ${JSON.stringify(operator)} with ${JSON.stringify(spec)} is not supported by the local filter ` +
        `(it implements literal values and ${SUPPORTED_OPERATORS.join(', ')})`,
    );
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      // EventBridge also nests {"equals-ignore-case"} inside prefix/suffix; Lambda does not document it.
      if (typeof spec !== 'string') throw unsupported();
      return { op: operator, value: spec };
    case 'anything-but': {
      const values = Array.isArray(spec) ? spec : [spec];
      if (values.length === 0 || !values.every((value) => typeof value === 'string' || typeof value === 'number')) {
        throw unsupported();
      }
      return { op: 'anything-but', values: values as (string | number)[] };
    }
    case 'numeric':
      return compileNumeric(pattern, path, spec);
    case 'exists':
      if (typeof spec !== 'boolean') throw new FilterPatternError(pattern, `${path}: exists takes true or false`);
      return { op: 'exists', value: spec };
    default:
      throw unsupported();
  }
}

function compileNode(pattern: string, path: string, object: Record<string, unknown>): PatternNode {
  const fields = new Map<string, PatternNode | readonly LeafRule[]>();
  for (const [key, value] of Object.entries(object)) {
    const fieldPath = path ? `${path}.${key}` : key;
    if (key === '$or') {
      throw new FilterPatternError(pattern, `${fieldPath}: "$or" is not supported by the local filter`);
    }
    if (Array.isArray(value)) {
      if (value.length === 0) throw new FilterPatternError(pattern, `${fieldPath}: an empty rule list matches nothing`);
      fields.set(
        key,
        value.map((rule): LeafRule => {
          if (isLiteral(rule)) return { op: 'equals', value: rule };
          if (isPlainObject(rule)) return compileOperator(pattern, fieldPath, rule);
          throw new FilterPatternError(pattern, `${fieldPath}: ${JSON.stringify(rule)} is neither a value nor a rule`);
        }),
      );
    } else if (isPlainObject(value)) {
      fields.set(key, compileNode(pattern, fieldPath, value));
    } else {
      throw new FilterPatternError(pattern, `${fieldPath}: must be a list of rules or a nested object`);
    }
  }
  return { fields };
}

function compare(value: number, op: NumericOperator, bound: number): boolean {
  if (op === '=') return value === bound;
  if (op === '<') return value < bound;
  if (op === '<=') return value <= bound;
  if (op === '>') return value > bound;
  return value >= bound;
}

function matchesValue(rule: Exclude<LeafRule, { op: 'exists' }>, value: unknown): boolean {
  switch (rule.op) {
    case 'equals':
      return value === rule.value;
    case 'prefix':
      return typeof value === 'string' && value.startsWith(rule.value);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(rule.value);
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === rule.value.toLowerCase();
    case 'anything-but':
      return (typeof value === 'string' || typeof value === 'number') && !rule.values.includes(value);
    case 'numeric':
      return typeof value === 'number' && rule.comparisons.every(({ op, value: bound }) => compare(value, op, bound));
  }
}

function matchesRules(rules: readonly LeafRule[], present: boolean, value: unknown): boolean {
  // An array in the event matches when any of its elements does, as in EventBridge.
  const candidates = Array.isArray(value) ? value : [value];
  return rules.some((rule) => {
    // Exists only sees leaves: an object-valued field does not "exist" for it (EventBridge rule).
    if (rule.op === 'exists') return rule.value === (present && !isPlainObject(value));
    return present && candidates.some((candidate) => matchesValue(rule, candidate));
  });
}

function matchesNode(node: PatternNode, value: unknown): boolean {
  for (const [key, sub] of node.fields) {
    const present = isPlainObject(value) && Object.hasOwn(value, key);
    const fieldValue = present ? value[key] : undefined;
    if (Array.isArray(sub)) {
      if (!matchesRules(sub as readonly LeafRule[], present, fieldValue)) return false;
    } else {
      const nested = sub as PatternNode;
      const matched = Array.isArray(fieldValue)
        ? fieldValue.some((element) => matchesNode(nested, element))
        : matchesNode(nested, fieldValue);
      if (!matched) return false;
    }
  }
  return true;
}

/** Parses and validates one Pattern string; throws FilterPatternError for anything Lambda would reject. */
export function compileFilterPattern(pattern: string, dataField: string): CompiledPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(pattern);
  } catch (error) {
    throw new FilterPatternError(pattern, 'is not valid JSON', { cause: error });
  }
  if (!isPlainObject(parsed)) throw new FilterPatternError(pattern, 'must be a JSON object');
  const root = compileNode(pattern, '', parsed);
  return {
    source: pattern,
    usesDataField: root.fields.has(dataField),
    matches: (subject) => matchesNode(root, subject),
  };
}

/** The data field Lambda filters on, per source: the decoded payload for Kinesis, the record body for DynamoDB. */
export const DATA_FIELD = { kinesis: 'data', dynamodb: 'dynamodb' } as const satisfies Record<SourceKind, string>;

/**
 * A Kinesis record as Lambda's filter sees it: the record's metadata (partitionKey, sequenceNumber, ...)
 * at the top level, and `data` decoded from base64 and parsed as JSON.
 */
export function kinesisFilterSubject(record: KinesisStreamRecord): FilterSubject {
  const { kinesis, ...envelope } = record;
  const { data: encoded, ...metadata } = kinesis;
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  try {
    return { fields: { ...envelope, ...metadata, data: JSON.parse(text) as unknown }, dataIsJson: true };
  } catch {
    return { fields: { ...envelope, ...metadata, data: text }, dataIsJson: false };
  }
}

/** A DynamoDB Streams record as Lambda's filter sees it: as delivered (eventName, dynamodb.NewImage, ...). */
export function dynamodbFilterSubject(record: DynamoDBRecord): FilterSubject {
  return { fields: record as Record<string, unknown>, dataIsJson: true };
}

function validateCriteria(criteria: FilterCriteria): readonly { readonly Pattern: string }[] {
  const filters = (criteria as { Filters?: unknown }).Filters;
  if (!Array.isArray(filters)) throw new InvalidMappingConfigError('filterCriteria', 'Filters must be a list');
  if (filters.length > MAPPING_LIMITS.filters) {
    throw new InvalidMappingConfigError(
      'filterCriteria',
      `at most ${MAPPING_LIMITS.filters} filters per mapping (the default quota), got ${filters.length}`,
    );
  }
  for (const filter of filters) {
    if (!isPlainObject(filter) || typeof filter.Pattern !== 'string') {
      throw new InvalidMappingConfigError('filterCriteria', 'every filter is { Pattern: "<JSON pattern>" }');
    }
  }
  return filters as readonly { readonly Pattern: string }[];
}

function buildFilter<TRecord>(
  criteria: FilterCriteria,
  dataField: string,
  subjectOf: (record: TRecord) => FilterSubject,
): RecordFilter<TRecord> {
  const patterns = validateCriteria(criteria).map((filter) => compileFilterPattern(filter.Pattern, dataField));
  return {
    patterns,
    matches(record) {
      const subject = subjectOf(record);
      // Lambda drops a record whose data is not JSON when a pattern filters on the data field.
      return patterns.some(
        (pattern) => (subject.dataIsJson || !pattern.usesDataField) && pattern.matches(subject.fields),
      );
    },
  };
}

/** Compiles a Kinesis mapping's FilterCriteria; undefined criteria or no filters deliver everything. */
export function compileKinesisFilter(
  criteria: FilterCriteria | undefined,
): RecordFilter<KinesisStreamRecord> | undefined {
  if (criteria === undefined) return undefined;
  const filter = buildFilter(criteria, DATA_FIELD.kinesis, kinesisFilterSubject);
  return filter.patterns.length === 0 ? undefined : filter;
}

/** Compiles a DynamoDB Streams mapping's FilterCriteria; undefined criteria or no filters deliver everything. */
export function compileDynamoDBFilter(criteria: FilterCriteria | undefined): RecordFilter<DynamoDBRecord> | undefined {
  if (criteria === undefined) return undefined;
  const filter = buildFilter(criteria, DATA_FIELD.dynamodb, dynamodbFilterSubject);
  return filter.patterns.length === 0 ? undefined : filter;
}

/** Validates a mapping's FilterCriteria for a source kind without keeping the result. */
export function validateFilterCriteria(kind: SourceKind, criteria: FilterCriteria | undefined): void {
  if (kind === SourceKind.KINESIS) compileKinesisFilter(criteria);
  else compileDynamoDBFilter(criteria);
}
