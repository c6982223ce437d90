import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { expect, it } from 'vitest';
import { tableIds } from '../../../definitions/resources.js';
import { buildApp } from '../../../infra/build-app.js';
import { silentLogger } from '../../../local/event-source-mapping/index.js';
import { startLocalPipeline } from '../../../local/pipeline.js';
import { noBundling } from '../../helpers/cdk-context.js';
import { createScratchStream } from '../../helpers/kinesis-batches.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

/**
 * The local stack's consumers run as the deployed ones would: each mapping with the settings of the
 * synthesized AWS::Lambda::EventSourceMapping, and each invocation limited to its function's timeout.
 */
const stack = useLocalStack();

it('runs each consumer with its deployed mapping’s settings and its function’s timeout', async () => {
  const built = buildApp({ context: noBundling });
  const resources = Template.fromStack(built.pipeline).toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const propertiesOf = (construct: IConstruct) =>
    resources[built.pipeline.getLogicalId(construct.node.defaultChild as CfnElement)]?.Properties ?? {};
  const mappingOf = (fn: IConstruct) => {
    const functionId = built.pipeline.getLogicalId(fn.node.defaultChild as CfnElement);
    return Object.values(resources).find(
      (resource) =>
        resource.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(resource.Properties.FunctionName) === JSON.stringify({ Ref: functionId }),
    )?.Properties;
  };

  const tables = await createScratchTables(stack.clients.dynamodb, tableIds);
  const streamName = await createScratchStream(stack.clients.kinesis, 1);
  const pipeline = await startLocalPipeline(
    { ...stack, streamName, tableNames: { ...stack.tableNames, ...tables } },
    { logger: silentLogger, environments: null },
  );
  try {
    const local = { clickstream: pipeline.mappings[0], aggregates: pipeline.mappings[1] };
    for (const [name, consumer] of [
      ['clickstream', built.pipeline.clickstream],
      ['aggregates', built.pipeline.aggregates],
    ] as const) {
      const config = local[name]?.config;
      const deployed = mappingOf(consumer.function);
      expect(config?.functionTimeoutSeconds, name).toBe(propertiesOf(consumer.function).Timeout);
      expect(config, name).toMatchObject({
        batchSize: deployed?.BatchSize,
        maximumBatchingWindowInSeconds: deployed?.MaximumBatchingWindowInSeconds,
        bisectBatchOnFunctionError: deployed?.BisectBatchOnFunctionError,
        maximumRetryAttempts: deployed?.MaximumRetryAttempts,
        maximumRecordAgeInSeconds: deployed?.MaximumRecordAgeInSeconds,
        startingPosition: deployed?.StartingPosition,
        reportBatchItemFailures: (deployed?.FunctionResponseTypes as string[] | undefined)?.includes(
          'ReportBatchItemFailures',
        ),
      });
    }
  } finally {
    await pipeline.stop();
  }
}, 60_000);
