/**
 * A synchronous Lambda Invoke (RequestResponse): the function's JSON answer, or an error carrying the
 * function's own message when it failed (thrown, timed out). The redrive invokes the consumers so,
 * and the pipeline API the redrive.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

export async function invokeSync(client: LambdaClient, functionName: string, payload: unknown): Promise<unknown> {
  const response = await client.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload)) }),
  );
  const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
  const answer: unknown = text === '' ? null : JSON.parse(text);
  if (response.FunctionError !== undefined) {
    const message = (answer as { errorMessage?: unknown } | null)?.errorMessage;
    throw new Error(`${functionName} failed (${response.FunctionError}): ${String(message ?? text)}`);
  }
  return answer;
}
