/**
 * Data files the csv-processor bundle reads at run time (paths under functions/, as assetPath()
 * takes them). The build ships exactly these; the ASL is Terraform's and the local runner's, not
 * the function's.
 */
export const assets = ['csv-processor/sql/apply-batch.sql'];
