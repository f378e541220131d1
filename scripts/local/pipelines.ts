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
}

export const pipelines: Record<string, LocalPipeline> = {};
