import {
  aggregatesEventSource,
  clickstreamEventSource,
  STREAM_CONSUMER_TIMEOUT_SECONDS,
} from '../definitions/event-sources.js';

/**
 * What each consumer's local mapping runs with: the mapping's definition, as the stacks deploy it, and
 * its function's timeout, as Lambda enforces it.
 */
export const LOCAL_CONSUMER_SETTINGS = {
  clickstream: { ...clickstreamEventSource, functionTimeoutSeconds: STREAM_CONSUMER_TIMEOUT_SECONDS },
  aggregates: { ...aggregatesEventSource, functionTimeoutSeconds: STREAM_CONSUMER_TIMEOUT_SECONDS },
} as const;
