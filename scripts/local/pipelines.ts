import { csvProcessorPipeline, seedUsersPipeline } from './pipelines/csv-processor';
import { syncBatchPipeline } from './pipelines/sync-batch';

/**
 * The pipelines `npm run local -- <name>` can run. Each runner starts (or reuses)
 * the embedded stack, runs the same handlers and ASL that are deployed, and returns
 * a human summary plus the JSON document printed with --json.
 */
export interface PipelineResult {
  text: string;
  json: Record<string, unknown>;
}

export interface LocalPipeline {
  summary: string;
  run(args: string[]): Promise<PipelineResult>;
  /** Functions of this pipeline, so `npm run invoke -- <function>` can find its setup. */
  functions?: string[];
  /**
   * Creates what the pipeline's functions need on the local stack (buckets, tables,
   * schema), idempotently, and returns the environment variables they read.
   */
  prepare?(env: NodeJS.ProcessEnv): Promise<Record<string, string>>;
  /** Arguments `make demo` runs this pipeline with (on generated data); absent: not in the demo. */
  demoArgs?: string[];
}

export const pipelines: Record<string, LocalPipeline> = {
  'csv-processor': csvProcessorPipeline,
  'seed-users': seedUsersPipeline,
  'sync-batch': syncBatchPipeline,
};
