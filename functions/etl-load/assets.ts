/** The merge statements load.ts reads (assetPath(`etl-load/sql/${dataset}.sql`)); the build ships exactly these. */
export const assets = ['etl-load/sql/*.sql'];
