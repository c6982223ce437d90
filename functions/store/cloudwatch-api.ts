/**
 * CloudWatch's GetMetricData, signed with another client's config (signed-aws-request.ts) instead of
 * the CloudWatch client, which would add about 60 KB to the pipeline API's bundle: one POST on AWS JSON
 * 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`, timestamps as epoch seconds), as
 * CloudWatch's API reference documents it and the SDK sends it (with `x-amzn-query-mode`, CloudWatch
 * being query-compatible). Locally the same request reaches local/local-cloudwatch.ts.
 */
import { type SdkClientConfig, SignedAwsRequests } from './signed-aws-request.js';

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

export class CloudWatchApi {
  private readonly requests: SignedAwsRequests;

  /** `endpoint`: CloudWatch's URL; by default as the SDK finds it (AWS_ENDPOINT_URL_CLOUDWATCH, else the region's). */
  constructor(
    config: SdkClientConfig,
    private readonly endpoint?: string,
  ) {
    this.requests = new SignedAwsRequests(config, 'monitoring');
  }

  /** The queries' data points from `startMs` to `endMs`, newest first (one page: a few queries of an hour). */
  async getMetricData(
    queries: readonly MetricDataQuery[],
    startMs: number,
    endMs: number,
  ): Promise<readonly MetricDataResult[]> {
    const base = await this.requests.endpoint('CLOUDWATCH', 'monitoring', this.endpoint);
    const { MetricDataResults = [] } = await this.requests.awsJson<{
      MetricDataResults?: { Id: string; Timestamps?: number[]; Values?: number[] }[];
    }>({
      url: new URL(base),
      version: '1.0',
      target: 'GraniteServiceVersion20100801.GetMetricData',
      headers: { 'x-amzn-query-mode': 'true' },
      input: {
        StartTime: startMs / 1000,
        EndTime: endMs / 1000,
        ScanBy: 'TimestampDescending',
        MetricDataQueries: queries,
      },
    });
    return MetricDataResults.map(({ Id, Timestamps = [], Values = [] }) => ({
      Id,
      timestamps: Timestamps.map((seconds) => seconds * 1000),
      values: Values,
    }));
  }
}
