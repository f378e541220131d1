# Buckets: input (uploads, EventBridge notifications) and output (normalized copies,
# map results, summaries, error reports). DynamoDB: ProcessingLogs (one item per row
# outcome) and the file claims that make a redelivered event take effect once.

module "input_bucket" {
  source = "../s3-bucket"

  name     = "${local.prefix}-input-${local.account_id}"
  settings = local.function_defaults

  lifecycle_rules = [
    {
      id              = "expire-uploads"
      prefix          = local.incoming_prefix
      expiration_days = var.retention_days.input
    },
    {
      id                                     = "tidy-versions-and-uploads"
      noncurrent_version_expiration_days     = var.retention_days.noncurrent_versions
      abort_incomplete_multipart_upload_days = 1
      expired_object_delete_marker           = true
    },
  ]

  # Object Created events start the state machine through an EventBridge rule.
  eventbridge_notifications = true
}

module "output_bucket" {
  source = "../s3-bucket"

  name     = "${local.prefix}-output-${local.account_id}"
  settings = local.function_defaults

  lifecycle_rules = [
    {
      id              = "expire-results"
      prefix          = local.results_prefix
      expiration_days = var.retention_days.results
    },
    {
      id              = "expire-normalized-copies"
      prefix          = local.normalized_prefix
      expiration_days = var.retention_days.results
    },
    {
      id              = "expire-error-reports"
      prefix          = local.errors_prefix
      expiration_days = var.retention_days.error_reports
    },
    {
      id                                     = "tidy-versions-and-uploads"
      noncurrent_version_expiration_days     = var.retention_days.noncurrent_versions
      abort_incomplete_multipart_upload_days = 1
    },
  ]
}

module "processing_logs" {
  source = "../dynamodb-table"

  name                     = "ProcessingLogs-${var.environment}"
  hash_key                 = "executionName"
  range_key                = "timestamp"
  global_secondary_indexes = [{ name = "UserIdIndex", hash_key = "userId", range_key = "timestamp" }]
  ttl_attribute            = "ttl"

  settings = local.function_defaults
}

module "file_claims" {
  source = "../dynamodb-table"

  name          = "${local.prefix}-files"
  hash_key      = "fileId"
  ttl_attribute = "ttl"

  settings = local.function_defaults
}
