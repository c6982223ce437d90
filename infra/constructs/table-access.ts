import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The DynamoDB item actions clickprice code uses, as IAM names them. Transactions have no action of
 * their own: each item of a TransactWriteItems is authorized as the matching single-item action
 * (Put → PutItem, Update → UpdateItem, ConditionCheck → ConditionCheckItem), while BatchGetItem and
 * BatchWriteItem are actions of their own, and grant no GetItem or PutItem.
 */
export type TableItemAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'UpdateItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

/** What one grantee may do on one table. */
export interface TableAccess {
  readonly actions: readonly TableItemAction[];
  /**
   * Global secondary indexes the grantee queries, by name. Only `Query` reaches an index.
   *
   * @default - none: the base table only
   */
  readonly indexes?: readonly string[];
}

/**
 * Grants exactly `access` on `table`, one statement per table, on the table ARN (and the ARNs of the
 * named indexes). Not `table.grant()`: that adds `table/index/*` for any table that has an index.
 */
export function grantTableAccess(grantee: iam.IGrantable, table: dynamodb.ITable, access: TableAccess): void {
  if (access.actions.length === 0) throw new Error(`grantTableAccess: no actions for ${table.node.path}`);
  const indexes = access.indexes ?? [];
  if (indexes.length > 0 && !access.actions.includes('Query')) {
    throw new Error(`grantTableAccess: indexes of ${table.node.path} are granted, but not Query`);
  }
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [...new Set(access.actions)].sort().map((action) => `dynamodb:${action}`),
      resources: [table.tableArn, ...indexes.map((index) => `${table.tableArn}/index/${index}`)],
    }),
  );
}

/** Grants each table of a function's access map (table id → access) exactly the actions listed. */
export function grantTablesAccess<Id extends string>(
  grantee: iam.IGrantable,
  tables: Readonly<Record<Id, dynamodb.ITable>>,
  accessByTable: Readonly<Partial<Record<Id, TableAccess>>>,
): void {
  for (const [tableId, access] of Object.entries(accessByTable) as [Id, TableAccess | undefined][]) {
    if (access) grantTableAccess(grantee, tables[tableId], access);
  }
}
