/** The dataset queries extract.ts reads (assetPath(`etl-extract-transform/sql/${dataset}.sql`)); the build ships exactly these. */
export const assets = ['etl-extract-transform/sql/*.sql'];
