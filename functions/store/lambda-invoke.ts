/**
 * A synchronous Lambda Invoke (RequestResponse): the function's JSON answer, or an error carrying the
 * function's own message when it failed (thrown, timed out). The redrive invokes the consumers so,
 * and the pipeline API the redrive.
 */
import type { LambdaApi } from './lambda-api.js';

export async function invokeSync(lambda: LambdaApi, functionName: string, payload: unknown): Promise<unknown> {
  const { payload: text, functionError } = await lambda.invoke(functionName, payload);
  const answer: unknown = text === '' ? null : JSON.parse(text);
  if (functionError !== undefined) {
    const message = (answer as { errorMessage?: unknown } | null)?.errorMessage;
    throw new Error(`${functionName} failed (${functionError}): ${String(message ?? text)}`);
  }
  return answer;
}
