/**
 * The redrive function, as the pipeline API calls it: a synchronous Lambda Invoke of
 * handlers/dlq-redrive.ts in AWS, or of the local stack's redrive function through the local Lambda
 * API. The redrive needs the queue, the stream and the consumer; the API needs only this one call.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { RedriveAnswer, RedriveInvocation } from '../domain/dead-letters.js';

/** The environment variable naming the redrive function to the pipeline API. */
export const DLQ_REDRIVE_FUNCTION_ENV = 'DLQ_REDRIVE_FUNCTION_NAME';

export class DeadLetterRedrives {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  /** Runs one redrive; a function error rejects with the function's own message. */
  async run(invocation: RedriveInvocation): Promise<RedriveAnswer> {
    const response = await this.client.send(
      new InvokeCommand({ FunctionName: this.functionName, Payload: Buffer.from(JSON.stringify(invocation)) }),
    );
    const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
    const payload: unknown = text === '' ? null : JSON.parse(text);
    if (response.FunctionError !== undefined) {
      const message = (payload as { errorMessage?: unknown } | null)?.errorMessage;
      throw new Error(`the redrive function failed: ${String(message ?? text)}`);
    }
    return payload as RedriveAnswer;
  }
}
