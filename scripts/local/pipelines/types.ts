import type { CommandSpec, OptionsSpec, ParsedValues } from '../../lib/args';

/**
 * What a local pipeline is: a short descriptor (its options, functions, how to
 * prepare the stack for them and how to run them). scripts/local/pipelines/runner.ts
 * turns a descriptor into the command `npm run local -- <name>` runs; the registry
 * (scripts/local/pipelines.ts) lists them. Pipelines import this file, never the
 * registry, so there is no import cycle.
 */
export interface PipelineResult {
  /** What a person reads on stdout. */
  text: string;
  /** The one object `--json` prints. */
  json: Record<string, unknown>;
}

export interface DemoSpec {
  args: string[];
  note?: string;
  summary?(json: Record<string, unknown>): string[];
}

/** What every pipeline step gets while it runs on the local stack. */
export interface RunContext {
  /** The stack's endpoints and credentials (also in process.env while the pipeline runs). */
  env: Record<string, string>;
  /** True when the person named the database (--database-url or DATABASE_URL): use it as it is. */
  databaseGiven: boolean;
  /** Run the functions from dist/<function>.zip (what deploys) instead of the sources. */
  fromDist: boolean;
  /** Progress for a person, on stderr. */
  log(message: string): void;
}

export interface Prepared {
  /** Environment variables the pipeline's functions read (what Terraform sets in AWS). */
  env: Record<string, string>;
  cleanup?(): Promise<void>;
}

export interface PipelineDescriptor<O extends OptionsSpec, P extends Prepared = Prepared> {
  name: string;
  summary: string;
  options: O;
  notes?: string[];
  /** Functions (folders under functions/) this pipeline supplies environment and resources for. */
  functions: readonly string[];
  /**
   * The variables Terraform sets for the functions, with the local names (no
   * endpoints): what a function needs to load at all, e.g. for the cold-start benchmark.
   */
  environment?: Record<string, string>;
  /**
   * How `make demo` runs it on generated data; `note` explains a verdict that is by design;
   * `summary` gives the parts of its summary row when the JSON's counts alone would not say much.
   */
  demo?: DemoSpec;
  /** Checks option combinations before any stack starts; throws UsageError. */
  check?(values: ParsedValues<O>): void;
  /**
   * Creates what the functions need (buckets, tables, schema, secrets), idempotently,
   * and returns their environment. Called without `values` by `npm run invoke`.
   */
  prepare(ctx: RunContext, values?: ParsedValues<O>): Promise<P>;
  /** Creates the objects and rows the example events in functions/<fn>/events/ refer to. */
  prepareEvents?(ctx: RunContext): Promise<void>;
  execute(values: ParsedValues<O>, ctx: RunContext, prepared: P): Promise<PipelineResult>;
}

/** A descriptor made runnable (see runner.ts). */
export interface LocalPipeline {
  name: string;
  summary: string;
  command: CommandSpec;
  functions: readonly string[];
  environment: Record<string, string>;
  demo?: DemoSpec;
  /** Parses and runs (usage errors are thrown before any stack starts). */
  run(args: string[]): Promise<PipelineResult>;
  prepare(ctx: RunContext): Promise<Prepared>;
  prepareEvents?(ctx: RunContext): Promise<void>;
}
