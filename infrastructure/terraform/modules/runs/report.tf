# The daily report: runs-daily-report-<env> at 09:00 JST writes yesterday's (JST) runs to
# reports/YYYY-MM-DD.json and .html in the reports bucket and one summary to the alarm topic.
# `npm run runs -- report --env <env>` presigns the latest page. Its schedule is one of the
# triggers (feeds.tf).

locals {
  # Bucket names are global: the account id keeps runs-reports-<env> unique. The bootstrap's
  # operator policy (pipelines-operator-runs-<env>) reads reports/* of this name.
  reports_bucket_name = "runs-reports-${var.environment}-${local.account_id}"
  report_input        = jsonencode({ trigger = "schedule" })
}

module "reports_bucket" {
  source = "../s3-bucket"

  name     = local.reports_bucket_name
  settings = local.function_defaults

  lifecycle_rules = [
    {
      id                                     = "expire-reports"
      prefix                                 = local.reports_dir
      expiration_days                        = var.report.retention_days
      noncurrent_version_expiration_days     = 7
      abort_incomplete_multipart_upload_days = 1
    },
  ]
}
