/**
 * What etl-extract-transform writes and etl-load reads (../shared/DESIGN.md §3 "etl"): three
 * datasets per JST date as gzip JSON Lines under `etl-data/YYYY-MM-DD/`, and the manifest written
 * last. The dataset names are the target tables' names.
 */
export const DATASETS = ['daily_sales_summary', 'product_sales_summary', 'customer_analytics'] as const;
export type Dataset = (typeof DATASETS)[number];

export const DATA_PREFIX = 'etl-data/';

export function datasetKey(date: string, dataset: Dataset): string {
  return `${DATA_PREFIX}${date}/${dataset}.jsonl.gz`;
}

export function manifestKey(date: string): string {
  return `${DATA_PREFIX}${date}/manifest.json`;
}

/** The date of a manifest key (`etl-data/2026-11-30/manifest.json` → `2026-11-30`), else undefined. */
export function manifestDate(key: string): string | undefined {
  return /^etl-data\/(\d{4}-\d{2}-\d{2})\/manifest\.json$/.exec(key)?.[1];
}

export interface DatasetEntry {
  key: string;
  /** JSON Lines in the object (one row per line). */
  rows: number;
  /** Bytes of the gzip object, and its SHA-256 (hex). */
  bytes: number;
  sha256: string;
  /** Time the source database took to produce and stream the rows. */
  queryMs: number;
}

export interface Manifest {
  version: 1;
  date: string;
  /** When the snapshot was taken (ISO-8601, UTC). */
  extractedAt: string;
  datasets: Record<Dataset, DatasetEntry>;
}
