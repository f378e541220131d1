# salesforce-extract: Salesforce objects → S3 raw CSV, on a JST schedule or on demand. A
# STANDARD state machine (the ASL file the local runner executes too) checks the org's API
# limits, then extracts the objects in a Map through one function, salesforce-extract-<env>,
# whose steps (plan, REST extract, Bulk job create/poll/download) are short invocations:
# waiting happens in Wait states and a download nearing the 15-minute limit hands its
# locator and multipart-upload state to the next invocation.
#
# Files by concern: main.tf (bucket, secret, watermark table), function.tf, workflow.tf
# (state machine), triggers.tf (schedule, manual rule), alarms.tf (no-records alarms,
# dashboard widgets), pipeline.tf (shared/pipeline.tf: the inputs and locals every
# pipeline module takes alike).

locals {
  pipeline = "salesforce-extract"
  # The one place <name>-<env> is composed for this pipeline's own resources.
  prefix = "${local.pipeline}-${var.environment}"

  raw_prefix = "raw/"
  # Bytes of a CSV row cut by a page boundary, carried between invocations of a resumed
  # download (functions/salesforce-extract/upload.ts); deleted when the upload completes.
  carry_prefix = "${local.raw_prefix}_incomplete/"

  functions_dir = "${path.module}/../../../../functions"
}

# One customer-managed key for the bucket (unless bucket_kms_encrypted is false), the
# secret, the table, queues and logs (docs/architecture.md#encryption).
module "key" {
  source = "../pipeline-key"

  settings    = local.pipeline_settings
  description = "Encrypts the ${local.prefix} raw bucket, Salesforce secret, watermark table, queues and logs."
}

# ---------------------------------------------------------------------------
# Raw bucket: raw/<Object>/year=YYYY/month=MM/day=DD/<Object>_YYYYMMDD_HHMM.csv and its
# .manifest.json, to Glacier after glacier_after_days, deleted after expire_after_days.
# ---------------------------------------------------------------------------

module "bucket" {
  source = "../s3-bucket"

  # Bucket names are global: the account id keeps salesforce-extract-<env>-raw unique.
  name     = "${local.prefix}-raw-${local.account_id}"
  settings = merge(local.function_defaults, { kms_key_arn = var.settings.bucket_kms_encrypted ? module.key.arn : null })

  lifecycle_rules = [
    {
      id                                 = "archive-then-expire-raw"
      prefix                             = local.raw_prefix
      transitions                        = [{ days = var.settings.glacier_after_days, storage_class = "GLACIER" }]
      expiration_days                    = var.settings.expire_after_days
      noncurrent_version_expiration_days = 7
      # A failed run aborts its upload; this catches one whose abort never ran (a resumed
      # download spans invocations, so two days rather than one).
      abort_incomplete_multipart_upload_days = 2
    },
    {
      id              = "expire-orphaned-carries"
      prefix          = local.carry_prefix
      expiration_days = 2
    },
  ]
}

# ---------------------------------------------------------------------------
# The connected app's credentials. Terraform creates the secret only; the value is set
# out of band so the private key never appears in state (docs/salesforce-extract.md):
#   aws secretsmanager put-secret-value --secret-id salesforce-extract-<env>/jwt \
#     --secret-string file://salesforce-secret.json
# ---------------------------------------------------------------------------

resource "aws_secretsmanager_secret" "salesforce" {
  # <pipeline>-<env>/<what>: the names the bootstrap's deploy role and workload boundary
  # allow (*-<env>/*), as sync-batch-<env>/youtube-api-key and the local salesforce-extract-local/jwt.
  name        = "${local.prefix}/jwt"
  description = "JWT bearer credentials of the Salesforce connected app for ${local.prefix}: {\"consumerKey\", \"privateKey\" (PEM), \"username\", \"loginUrl\", \"tokenUrl\" (optional)}."
  kms_key_id  = module.key.arn
  # An unprotected environment is destroyed and re-applied within days: a deleted
  # secret waiting out its recovery window would block the re-created one's name.
  recovery_window_in_days = local.deletion_protection ? 7 : 0
  tags                    = local.tags
}

# ---------------------------------------------------------------------------
# Watermarks: one item per object (hash key "object"); a run advances it with a
# conditional write only after its file and manifest are in S3.
# ---------------------------------------------------------------------------

module "watermarks" {
  source = "../dynamodb-table"

  name     = "${local.pipeline}-watermarks-${var.environment}"
  hash_key = "object"

  settings = local.function_defaults
}
