# The four functions, each with a policy that reaches only what its code calls:
#   runs-recorder-<env>          GetItem/UpdateItem on the ledger (recordStart/recordEnd)
#   runs-api-<env>               GetItem/Query on the ledger and its indexes, PutEvents of the
#                                pipelines' manual triggers on the default bus
#   runs-stream-processor-<env>  the ledger's stream, Query (the previous run), the alarm topic
#   runs-daily-report-<env>      Query, reports/* in the reports bucket, the alarm topic
# Every function is outside any VPC (DynamoDB, S3, SNS and EventBridge only) and uses the
# runs key for its logs and queue, which also covers the ledger and the bucket.

locals {
  table_arn   = module.ledger.table.arn
  indexes_arn = "${module.ledger.table.arn}/index/*"
  reports_dir = "reports/"

  # lambda-function's settings, what every function of the module takes alike (outside any VPC).
  # Outside any VPC whatever network the platform carries (DynamoDB, S3, SNS and EventBridge
  # only): no NAT or endpoint in the path of the API and the notices.
  function_defaults = merge(local.pipeline_settings, { kms_key_arn = module.key.arn, vpc_config = null })

  # The alarm topic's customer-managed key: publishing to an encrypted topic needs it.
  topic_key_arns = compact([var.platform.alarm_topic.kms_key_arn])

  # What each function's config reads (handler.ts of each); ENVIRONMENT comes from lambda-function.
  function_environment = {
    recorder         = { RUNS_TABLE = module.ledger.table.name }
    api              = { RUNS_TABLE = module.ledger.table.name }
    stream_processor = { RUNS_TABLE = module.ledger.table.name, ALARM_TOPIC_ARN = var.platform.alarm_topic.arn }
    daily_report = {
      RUNS_TABLE      = module.ledger.table.name
      REPORTS_BUCKET  = module.reports_bucket.bucket
      ALARM_TOPIC_ARN = var.platform.alarm_topic.arn
    }
  }

  api_invoke_source_arn = "${aws_api_gateway_rest_api.this.execution_arn}/*/*"
}

data "aws_iam_policy_document" "recorder" {
  statement {
    # Conditional writes (recordStart/recordEnd) read the item they are about to write.
    sid       = "RecordRuns"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [local.table_arn]
  }
}

module "recorder" {
  source = "../lambda-function"

  name         = "runs-recorder"
  settings     = local.function_defaults
  package_path = "${local.dist_dir}/runs-recorder.zip"
  description  = "Writes every pipeline run to ${local.table_name}: Step Functions status changes and Lambda destination records."
  memory_size  = 256
  timeout      = 30

  environment_variables = local.function_environment.recorder
  policy_json           = data.aws_iam_policy_document.recorder.json

  # EventBridge rules (feeds.tf) invoke it.
  allowed_triggers = {
    for key, rule in module.triggers.rules : key => {
      principal  = "events.amazonaws.com"
      source_arn = rule.arn
    }
  }
}

data "aws_iam_policy_document" "api" {
  statement {
    sid       = "ReadRuns"
    actions   = ["dynamodb:GetItem", "dynamodb:Query"]
    resources = [local.table_arn, local.indexes_arn]
  }

  statement {
    # POST /runs/{pipeline}: the same event as `aws events put-events … DetailType=manual-trigger`,
    # and only with a pipeline's source.
    sid       = "StartManualRuns"
    actions   = ["events:PutEvents"]
    resources = [local.default_bus_arn]

    condition {
      test     = "StringEquals"
      variable = "events:source"
      values   = var.api.manual_trigger_sources
    }

    condition {
      test     = "StringEquals"
      variable = "events:detail-type"
      values   = ["manual-trigger"]
    }
  }
}

module "api_function" {
  source = "../lambda-function"

  name         = "runs-api"
  settings     = local.function_defaults
  package_path = "${local.dist_dir}/runs-api.zip"
  description  = "The runs REST API (GET /runs, GET /runs/{pipeline}/{runId}, POST /runs/{pipeline}, GET /health) behind ${local.api_name}."
  memory_size  = 512
  # API Gateway gives up after 29 s.
  timeout = 29

  environment_variables = local.function_environment.api
  policy_json           = data.aws_iam_policy_document.api.json

  allowed_triggers = {
    api = {
      principal = "apigateway.amazonaws.com"
      # Any method of any resource of this API's stages.
      source_arn = local.api_invoke_source_arn
    }
  }

  # Invoked synchronously by API Gateway: no asynchronous retries.
  maximum_retry_attempts = 0
}

# What the stream processor and the daily report both do: query the ledger (the run before a
# notice's, a day's runs) and publish to the alarm topic, with its key when it has one.
data "aws_iam_policy_document" "query_and_notify" {
  statement {
    sid       = "QueryRuns"
    actions   = ["dynamodb:Query"]
    resources = [local.table_arn, local.indexes_arn]
  }

  statement {
    sid       = "PublishToAlarmTopic"
    actions   = ["sns:Publish"]
    resources = [var.platform.alarm_topic.arn]
  }

  dynamic "statement" {
    for_each = local.topic_key_arns
    content {
      sid       = "EncryptForAlarmTopic"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

data "aws_iam_policy_document" "stream_processor" {
  source_policy_documents = [data.aws_iam_policy_document.query_and_notify.json]

  statement {
    sid = "ReadLedgerStream"
    actions = [
      "dynamodb:DescribeStream",
      "dynamodb:GetRecords",
      "dynamodb:GetShardIterator",
      "dynamodb:ListStreams",
    ]
    resources = ["${local.table_arn}/stream/*"]
  }

  statement {
    # Records of a batch that failed every retry.
    sid       = "SendFailedBatches"
    actions   = ["sqs:SendMessage"]
    resources = [module.stream_dlq.arn]
  }
}

module "stream_processor" {
  source = "../lambda-function"

  name         = "runs-stream-processor"
  settings     = local.function_defaults
  package_path = "${local.dist_dir}/runs-stream-processor.zip"
  description  = "Ledger stream → one failure or recovery notice per run on the alarm topic, RunsSucceeded/RunsFailed/RunDuration metrics."
  memory_size  = 256
  timeout      = 60

  environment_variables = local.function_environment.stream_processor
  policy_json           = data.aws_iam_policy_document.stream_processor.json
}

data "aws_iam_policy_document" "daily_report" {
  source_policy_documents = [data.aws_iam_policy_document.query_and_notify.json]

  statement {
    sid       = "WriteReports"
    actions   = ["s3:PutObject"]
    resources = ["${module.reports_bucket.arn}/${local.reports_dir}*"]
  }
}

module "daily_report" {
  source = "../lambda-function"

  name         = "runs-daily-report"
  settings     = local.function_defaults
  package_path = "${local.dist_dir}/runs-daily-report.zip"
  description  = "Yesterday's runs (JST) per pipeline → reports/YYYY-MM-DD.{json,html} in ${local.reports_bucket_name} and one summary on the alarm topic."
  memory_size  = 512
  timeout      = 120

  environment_variables = local.function_environment.daily_report
  policy_json           = data.aws_iam_policy_document.daily_report.json
}
