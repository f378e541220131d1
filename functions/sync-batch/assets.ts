/** Data files the sync-batch bundle reads at run time (loader.ts: sql(name)); the build ships exactly these. */
export const assets = ['sync-batch/sql/*.sql'];
