/**
 * The fast path's event-source mapping, as Lambda's GetEventSourceMapping describes it: whether it
 * polls (State) and how its last batch went (LastProcessingResult).
 */
import type { MappingView } from '../domain/pipeline-health.js';
import type { LambdaApi } from './lambda-api.js';

/** The environment variable naming the mapping (its UUID; locally, the local mapping's id). */
export const FAST_PATH_MAPPING_ENV = 'FAST_PATH_MAPPING_UUID';

export class EventSourceMappings {
  constructor(private readonly lambda: LambdaApi) {}

  async describe(uuid: string): Promise<MappingView> {
    const mapping = await this.lambda.getEventSourceMapping(uuid);
    return {
      id: mapping.UUID ?? uuid,
      state: mapping.State ?? 'unknown',
      lastProcessingResult: mapping.LastProcessingResult ?? null,
    };
  }
}
