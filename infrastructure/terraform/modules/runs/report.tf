# The daily report: runs-daily-report-<env> at 09:00 JST writes yesterday's (JST) runs to
# reports/YYYY-MM-DD.json and .html in the reports bucket and one summary to the alarm topic.
# `npm run runs -- report --env <env>` presigns the latest page.

locals {
  # Bucket names are global: the account id keeps runs-reports-<env> unique. The bootstrap's
  # operator policy (pipelines-operator-runs-<env>) reads reports/* of this name.
  reports_bucket_name = "runs-reports-${var.environment}-${local.account_id}"
  report_input        = jsonencode({ trigger = "schedule" })
}

module "reports_bucket" {
  source = "../s3-bucket"

  name          = local.reports_bucket_name
  force_destroy = !local.deletion_protection
  kms_key_arn   = module.key.arn

  lifecycle_rules = [
    {
      id                                     = "expire-reports"
      prefix                                 = local.reports_dir
      expiration_days                        = var.report_retention_days
      noncurrent_version_expiration_days     = 7
      abort_incomplete_multipart_upload_days = 1
    },
  ]

  tags = local.tags
}

module "report_schedule" {
  source = "../schedule"

  name                = "runs-daily-report"
  environment         = var.environment
  description         = "Runs runs-daily-report-${var.environment} (yesterday's runs, JST) at ${var.report_schedule_expression} in JST."
  schedule_expression = var.report_schedule_expression
  target_arn          = module.daily_report.function_arn
  input               = local.report_input
  enabled             = var.schedule_enabled
  kms_key_arn         = module.key.arn
  alarm_topic_arn     = var.alarm_topic_arn
  tags                = local.tags

  iam_role_path            = var.iam_role_path
  permissions_boundary_arn = var.permissions_boundary_arn
}
