import { randomUUID } from 'node:crypto';
import type { KinesisStreamEvent } from 'aws-lambda';
import type { ClickEventInput } from '../functions/domain/click-event.js';
import { toIso } from '../functions/domain/time.js';

/**
 * A realistic 10,000-record Kinesis batch for the fast-path benchmarks: 2,000 sessions over 240
 * products in one minute, mostly views, some carts and purchases, as Lambda would deliver it.
 */
export function benchBatch(size = 10_000, products = 240, start = Date.now()): KinesisStreamEvent {
  const types = ['product_view', 'product_view', 'product_view', 'product_view', 'add_to_cart', 'purchase'] as const;
  const sessions = Array.from({ length: 2_000 }, (_, index) => `s-${index}-${randomUUID().slice(0, 8)}`);
  const records = Array.from({ length: size }, (_, index) => {
    const eventType = types[index % types.length] ?? 'product_view';
    const product = `P${String(((index * 7919) % products) + 1).padStart(5, '0')}`;
    const event: ClickEventInput = {
      eventId: randomUUID(),
      sessionId: sessions[index % sessions.length] ?? 's',
      userId: null,
      eventType,
      productId: product,
      category: 'electronics',
      priceSeen: 2499,
      quantity: eventType === 'product_view' ? null : 1,
      searchQuery: null,
      trafficSource: 'organic',
      deviceType: 'mobile',
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15',
      eventTime: toIso(start + Math.floor((index / size) * 50_000)),
    };
    const sequenceNumber = (49_660_000_000_000_000_000_000_000_000n + BigInt(index)).toString();
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: event.sessionId,
        sequenceNumber,
        data: Buffer.from(JSON.stringify(event)).toString('base64'),
        approximateArrivalTimestamp: (start + 55_000) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/clickstream',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/clickprice-clicks',
    };
  });
  return { Records: records };
}
