/**
 * The AWS prices the cost model uses: US East (N. Virginia), on-demand, USD, as the services'
 * pricing pages list them (DynamoDB on-demand after its November 2024 reduction). Free tiers are left
 * out: the model is for a stage that runs all month, not for a trial account.
 */
import { GLUE_USD_PER_DPU_HOUR } from '../../infra/constructs/glue-streaming-job-defaults.js';

export const AWS_PRICES = {
  region: 'us-east-1',
  kinesis: {
    /** Provisioned mode, per shard-hour. */
    shardHour: 0.015,
    /** Per million PUT payload units (25 KB each, a record rounded up). */
    putPayloadUnitsPerMillion: 0.014,
    /** Enhanced fan-out, per consumer-shard-hour and per GB read. */
    fanOutConsumerShardHour: 0.015,
    fanOutGb: 0.013,
  },
  lambda: {
    /** arm64, per GB-second, and per million requests. */
    arm64GbSecond: 0.0000133334,
    requestsPerMillion: 0.2,
  },
  dynamodb: {
    /** On-demand, per million write and read request units. */
    writeRequestUnitsPerMillion: 0.625,
    readRequestUnitsPerMillion: 0.125,
    /** Per GB-month stored, and continuous backups (point-in-time recovery) per GB-month. */
    storageGbMonth: 0.25,
    pitrGbMonth: 0.2,
  },
  glue: { dpuHour: GLUE_USD_PER_DPU_HOUR },
  apiGateway: {
    /** HTTP API, per million requests (the first 300 million a month). */
    requestsPerMillion: 1.0,
  },
  cloudwatch: {
    metricMonth: 0.3,
    standardAlarmMonth: 0.1,
    dashboardMonth: 3.0,
    logsIngestedGb: 0.5,
  },
  kms: { keyMonth: 1.0, requestsPer10k: 0.03 },
  xray: {
    /** Per million traces recorded (every function has active tracing). */
    tracesRecordedPerMillion: 5.0,
  },
} as const;

export type AwsPrices = typeof AWS_PRICES;
