/**
 * CloudWatch's GetMetricData, signed with another client's config (signed-aws-request.ts) instead of
 * the CloudWatch client, which would add about 60 KB to the pipeline API's bundle: one POST on AWS JSON
 * 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`, timestamps as epoch seconds), as
 * CloudWatch's API reference documents it and the SDK sends it (with `x-amzn-query-mode`, CloudWatch
 * being query-compatible). Locally the same request reaches local/local-cloudwatch.ts.
 */
import { type AwsJsonProtocol, AwsJsonService, type SdkClientConfig } from './signed-aws-request.js';

export interface MetricDataQuery {
  readonly Id: string;
  readonly MetricStat: {
    readonly Metric: {
      readonly Namespace: string;
      readonly MetricName: string;
      readonly Dimensions: readonly { readonly Name: string; readonly Value: string }[];
    };
    readonly Period: number;
    readonly Stat: string;
  };
}

export interface MetricDataResult {
  readonly Id: string;
  /** Epoch ms. */
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
}

const CLOUDWATCH: AwsJsonProtocol = {
  signingName: 'monitoring',
  endpointId: 'CLOUDWATCH',
  endpointPrefix: 'monitoring',
  version: '1.0',
  targetPrefix: 'GraniteServiceVersion20100801',
  headers: { 'x-amzn-query-mode': 'true' },
};

export class CloudWatchApi {
  private readonly cloudWatch: AwsJsonService;

  /** `endpoint`: CloudWatch's URL; by default as the SDK finds it (AWS_ENDPOINT_URL_CLOUDWATCH, else the region's). */
  constructor(config: SdkClientConfig, endpoint?: string) {
    this.cloudWatch = new AwsJsonService(config, CLOUDWATCH, endpoint);
  }

  /** The queries' data points from `startMs` to `endMs`, newest first (one page: a few queries of an hour). */
  async getMetricData(
    queries: readonly MetricDataQuery[],
    startMs: number,
    endMs: number,
  ): Promise<readonly MetricDataResult[]> {
    const { MetricDataResults = [] } = await this.cloudWatch.call<{
      MetricDataResults?: { Id: string; Timestamps?: number[]; Values?: number[] }[];
    }>('GetMetricData', {
      StartTime: startMs / 1000,
      EndTime: endMs / 1000,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: queries,
    });
    return MetricDataResults.map(({ Id, Timestamps = [], Values = [] }) => ({
      Id,
      timestamps: Timestamps.map((seconds) => seconds * 1000),
      values: Values,
    }));
  }
}
