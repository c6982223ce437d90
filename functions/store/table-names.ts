import { type TableId, tableEnvVar, tableIds, tables } from '../../definitions/resources.js';

/** Physical table names, by table id. */
export type TableNames = Readonly<Record<TableId, string>>;

/**
 * Reads every table name from the environment (CDK sets the variables on each function; the local
 * stack sets the same ones). Read once, at cold start; a missing variable is named in the error.
 */
export function tableNamesFromEnv(environment: NodeJS.ProcessEnv = process.env): TableNames {
  const names = {} as Record<TableId, string>;
  for (const id of tableIds) names[id] = requiredEnv(tableEnvVar(tables[id]), environment);
  return names;
}

function requiredEnv(name: string, environment: NodeJS.ProcessEnv): string {
  const value = environment[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
