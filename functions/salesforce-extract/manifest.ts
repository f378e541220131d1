/**
 * `<file>.manifest.json`, written beside the CSV after the upload completes and before
 * the watermark moves: a consumer that sees a manifest can trust the file's size and
 * digest; a CSV without a manifest is not a finished extraction.
 */
export interface Manifest {
  object: string;
  mode: 'rest' | 'bulk';
  jobId: string | null;
  key: string;
  records: number;
  bytes: number;
  sha256: string;
  apiCalls: number;
  watermark: { old: string | null; new: string | null };
  window: { from: string | null; to: string | null };
  schemaHash: string;
  fields: string[];
  nulStripped: number;
  soql: string;
  runId: string;
  startedAt: string;
  finishedAt: string;
}

export function manifestKeyFor(csvKey: string): string {
  return `${csvKey.replace(/\.csv$/, '')}.manifest.json`;
}
