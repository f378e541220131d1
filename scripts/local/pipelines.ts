import { csvProcessorPipeline, seedUsersPipeline } from './pipelines/csv-processor';
import { etlPipeline } from './pipelines/etl';
import { salesforceExtractPipeline } from './pipelines/salesforce-extract';
import { syncBatchPipeline } from './pipelines/sync-batch';
import type { LocalPipeline } from './pipelines/types';

export type { LocalPipeline, PipelineResult } from './pipelines/types';

/**
 * The pipelines `npm run local -- <name>` runs. Each is a descriptor made runnable
 * by scripts/local/pipelines/runner.ts; the descriptors never import this registry.
 */
export const pipelines: Record<string, LocalPipeline> = Object.fromEntries(
  [csvProcessorPipeline, seedUsersPipeline, syncBatchPipeline, etlPipeline, salesforceExtractPipeline].map(
    (p) => [p.name, p],
  ),
);

/** The pipeline that supplies a function's environment and resources, if any. */
export function pipelineOf(fn: string): LocalPipeline | undefined {
  return Object.values(pipelines).find((p) => p.functions.includes(fn));
}

/**
 * The environment Terraform gives `fn`, with local names: enough for its bundle to
 * load (handlers parse their configuration at cold start). Empty for a function no
 * pipeline supplies.
 */
export function functionEnvironment(fn: string): Record<string, string> {
  return { ...pipelineOf(fn)?.environment };
}
