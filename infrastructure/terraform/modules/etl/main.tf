# etl: daily RDS PostgreSQL (source) → S3 gzip JSON Lines → Aurora Serverless v2 (analytics).
# etl-extract-transform runs at 02:00 JST (EventBridge Scheduler) or on a manual trigger and
# writes etl-data/YYYY-MM-DD/<dataset>.jsonl.gz, then the manifest; the manifest's Object Created
# event starts etl-load. etl-db-initializer is run by hand (make etl-init ENV=<env>).
#
# Files by concern: databases.tf (source and target), functions.tf (the three functions and
# their policies), triggers.tf (schedule, manual rule, manifest rule), alarms.tf, pipeline.tf
# (shared/pipeline.tf: the inputs and locals every pipeline module takes alike).

locals {
  pipeline = "etl"
  # The one place <name>-<env> is composed for this pipeline's own resources.
  prefix = "${local.pipeline}-${var.environment}"

  data_prefix = "etl-data/"
}

# One customer-managed key for the bucket, the databases and their secrets, queues and logs.
module "key" {
  source = "../pipeline-key"

  settings    = local.pipeline_settings
  description = "Encrypts the ${local.prefix} bucket, databases, secrets, queues and logs."
}

# The datasets and manifests: etl-data/YYYY-MM-DD/*, expired after settings.data_retention_days.
# EventBridge notifications on: the manifest's Object Created event starts etl-load.
module "bucket" {
  source = "../s3-bucket"

  # Bucket names are global: the account id keeps etl-<env>-data unique.
  name     = "${local.prefix}-data-${local.account_id}"
  settings = local.function_defaults

  lifecycle_rules = [
    {
      id                                     = "expire-etl-data"
      prefix                                 = local.data_prefix
      expiration_days                        = var.settings.data_retention_days
      noncurrent_version_expiration_days     = 1
      abort_incomplete_multipart_upload_days = 1
    },
  ]

  eventbridge_notifications = true
}
