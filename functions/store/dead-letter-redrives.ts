/**
 * The redrive function, as the pipeline API calls it: a synchronous Lambda Invoke of
 * handlers/dlq-redrive.ts in AWS, or of the local stack's redrive function through the local Lambda
 * API. The redrive needs the queue, the stream and the consumer; the API needs only this one call.
 */
import type { RedriveAnswer, RedriveInvocation } from '../domain/dead-letters.js';
import type { LambdaApi } from './lambda-api.js';
import { invokeSync } from './lambda-invoke.js';

/** The environment variable naming the redrive function to the pipeline API. */
export const DLQ_REDRIVE_FUNCTION_ENV = 'DLQ_REDRIVE_FUNCTION_NAME';

export class DeadLetterRedrives {
  constructor(
    private readonly lambda: LambdaApi,
    private readonly functionName: string,
  ) {}

  /** Runs one redrive; a function error rejects with the function's own message. */
  async run(invocation: RedriveInvocation): Promise<RedriveAnswer> {
    return (await invokeSync(this.lambda, this.functionName, invocation)) as RedriveAnswer;
  }
}
