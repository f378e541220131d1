# csv-processor: S3 upload → EventBridge → Step Functions (validator, distributed map of
# processor batches, summary) → Aurora PostgreSQL user_statistics, every row audited in
# DynamoDB ProcessingLogs. The state machine is the same ASL file the local runner runs.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  pipeline  = "csv-processor"
  prefix    = "${local.pipeline}-${var.environment}"
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.id
  partition = data.aws_partition.current.partition

  state_machine_name = "csv-user-log-processor-${var.environment}"
  # Built from the name, not the resource: the state machine's role must name its own
  # ARN (distributed map children) and the role is an input of the state machine.
  state_machine_arn = "arn:${local.partition}:states:${local.region}:${local.account}:stateMachine:${local.state_machine_name}"
  # Its own executions (name:execution) and the map's child workflows (name/label:child).
  execution_arns = [
    "arn:${local.partition}:states:${local.region}:${local.account}:execution:${local.state_machine_name}:*",
    "arn:${local.partition}:states:${local.region}:${local.account}:execution:${local.state_machine_name}/*",
  ]
  map_run_arns = "arn:${local.partition}:states:${local.region}:${local.account}:mapRun:${local.state_machine_name}/*"

  incoming_prefix   = "incoming/"
  results_prefix    = "results/"
  normalized_prefix = "normalized/"
  errors_prefix     = "errors/"

  deletion_protection = coalesce(var.deletion_protection, var.environment == "prd")
  schema_file         = "${path.module}/../../../../functions/csv-processor/sql/schema.sql"
  asl_file            = "${path.module}/../../../../functions/csv-processor/asl/csv-user-log-processor.asl.json"
  dist                = "${path.module}/../../../../dist"

  alarm_actions = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
  tags          = merge(var.tags, { Pipeline = local.pipeline })
}

# ---------------------------------------------------------------------------
# KMS: one key for the buckets, tables, database, its secret and the logs.
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "key_policy" {
  # Key policies must let the account manage the key, or it becomes unmanageable. The
  # account root also delegates use of the key to IAM: the functions' and the state
  # machine's roles (S3 objects), and the principals Terraform and RDS, DynamoDB, SQS and
  # Secrets Manager act for (kms:ViaService), which need grants and data keys.
  statement {
    sid = "AccountAdministersAndDelegatesToIam"
    actions = [
      # administration
      "kms:CancelKeyDeletion",
      "kms:CreateAlias",
      "kms:DeleteAlias",
      "kms:DescribeKey",
      "kms:DisableKey",
      "kms:DisableKeyRotation",
      "kms:EnableKey",
      "kms:EnableKeyRotation",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListAliases",
      "kms:ListKeyPolicies",
      "kms:ListKeyRotations",
      "kms:ListResourceTags",
      "kms:PutKeyPolicy",
      "kms:RotateKeyOnDemand",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateAlias",
      "kms:UpdateKeyDescription",
      # grants (RDS, DynamoDB and Secrets Manager create them on the caller's behalf)
      "kms:CreateGrant",
      "kms:ListGrants",
      "kms:RetireGrant",
      "kms:RevokeGrant",
      # cryptographic use
      "kms:Decrypt",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    resources = ["*"] # in a key policy "*" means this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogsEncrypt"
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    resources = ["*"] # in a key policy "*" means this key
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account}:log-group:*"]
    }
  }

  # EventBridge writes undeliverable events to the events DLQ, which this key encrypts;
  # as a service principal it needs the key policy's permission, not an IAM policy's.
  statement {
    sid       = "EventBridgeDeadLetters"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"] # in a key policy "*" means this key
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "Encrypts the ${local.prefix} buckets, tables, Aurora cluster, its secret and logs."
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key_policy.json
  tags                    = local.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.prefix}"
  target_key_id = aws_kms_key.this.key_id
}

# ---------------------------------------------------------------------------
# Buckets: input (uploads, EventBridge notifications) and output (normalized copies,
# map results, summaries, error reports).
# ---------------------------------------------------------------------------

module "input_bucket" {
  source = "../s3-bucket"

  name          = "${local.prefix}-input-${local.account}"
  force_destroy = var.force_destroy_buckets
  kms_key_arn   = aws_kms_key.this.arn

  lifecycle_rules = [
    {
      id              = "expire-uploads"
      prefix          = local.incoming_prefix
      expiration_days = var.input_retention_days
    },
    {
      id                                     = "tidy-versions-and-uploads"
      noncurrent_version_expiration_days     = var.noncurrent_version_retention_days
      abort_incomplete_multipart_upload_days = 1
      expired_object_delete_marker           = true
    },
  ]

  # Object Created events start the state machine through an EventBridge rule.
  eventbridge_notifications = true
  tags                      = local.tags
}

module "output_bucket" {
  source = "../s3-bucket"

  name          = "${local.prefix}-output-${local.account}"
  force_destroy = var.force_destroy_buckets
  kms_key_arn   = aws_kms_key.this.arn

  lifecycle_rules = [
    {
      id              = "expire-results"
      prefix          = local.results_prefix
      expiration_days = var.results_retention_days
    },
    {
      id              = "expire-normalized-copies"
      prefix          = local.normalized_prefix
      expiration_days = var.results_retention_days
    },
    {
      id              = "expire-error-reports"
      prefix          = local.errors_prefix
      expiration_days = var.error_report_retention_days
    },
    {
      id                                     = "tidy-versions-and-uploads"
      noncurrent_version_expiration_days     = var.noncurrent_version_retention_days
      abort_incomplete_multipart_upload_days = 1
    },
  ]

  tags = local.tags
}

# The buckets were created here before the s3-bucket module existed: these moves keep
# them (and their settings) in place instead of replacing them.
# ---------------------------------------------------------------------------
# DynamoDB: ProcessingLogs (one item per row outcome) and the file claims that make
# a redelivered event take effect once.
# ---------------------------------------------------------------------------

resource "aws_dynamodb_table" "processing_logs" {
  name                        = "ProcessingLogs-${var.environment}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "executionName"
  range_key                   = "timestamp"
  deletion_protection_enabled = local.deletion_protection

  attribute {
    name = "executionName"
    type = "S"
  }
  attribute {
    name = "timestamp"
    type = "S"
  }
  attribute {
    name = "userId"
    type = "S"
  }

  global_secondary_index {
    name            = "UserIdIndex"
    hash_key        = "userId"
    range_key       = "timestamp"
    projection_type = "ALL"
  }

  ttl {
    attribute_name = "ttl"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  tags = local.tags
}

resource "aws_dynamodb_table" "file_claims" {
  name                        = "${local.prefix}-files"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "fileId"
  deletion_protection_enabled = local.deletion_protection

  attribute {
    name = "fileId"
    type = "S"
  }

  ttl {
    attribute_name = "ttl"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  tags = local.tags
}

# ---------------------------------------------------------------------------
# Aurora Serverless v2 PostgreSQL: writer + reader, master password managed by RDS
# in Secrets Manager (rotated by RDS; the functions refetch it on auth failure).
# ---------------------------------------------------------------------------

resource "aws_db_subnet_group" "this" {
  name        = local.prefix
  description = "Private subnets of the ${local.prefix} Aurora cluster."
  subnet_ids  = var.private_subnet_ids
  tags        = local.tags
}

resource "aws_rds_cluster" "this" {
  cluster_identifier = local.prefix
  engine             = "aurora-postgresql"
  engine_mode        = "provisioned"
  engine_version     = var.aurora_engine_version
  database_name      = var.database_name
  master_username    = "csv_admin"

  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.this.arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [var.database_security_group_id]

  storage_encrypted = true
  kms_key_id        = aws_kms_key.this.arn

  serverlessv2_scaling_configuration {
    min_capacity = var.aurora_min_capacity
    max_capacity = var.aurora_max_capacity
    # Only a cluster that may scale to 0 ACUs pauses (provider >= 5.81).
    seconds_until_auto_pause = var.aurora_min_capacity == 0 ? var.aurora_seconds_until_auto_pause : null
  }

  backup_retention_period         = var.aurora_backup_retention_days
  copy_tags_to_snapshot           = true
  deletion_protection             = local.deletion_protection
  skip_final_snapshot             = !local.deletion_protection
  final_snapshot_identifier       = local.deletion_protection ? "${local.prefix}-final" : null
  enabled_cloudwatch_logs_exports = ["postgresql"]

  tags = local.tags
}

resource "aws_rds_cluster_instance" "this" {
  for_each = toset(["writer", "reader"])

  identifier                   = "${local.prefix}-${each.key}"
  cluster_identifier           = aws_rds_cluster.this.id
  instance_class               = "db.serverless"
  engine                       = aws_rds_cluster.this.engine
  engine_version               = aws_rds_cluster.this.engine_version
  db_subnet_group_name         = aws_db_subnet_group.this.name
  performance_insights_enabled = true
  # The writer is created first and keeps failover priority; the reader takes reads.
  promotion_tier = each.key == "writer" ? 0 : 1

  tags = local.tags
}

locals {
  db_secret_arn = aws_rds_cluster.this.master_user_secret[0].secret_arn
  db_environment = {
    DB_SECRET_ARN = local.db_secret_arn
    DB_HOST       = aws_rds_cluster.this.endpoint
    DB_PORT       = tostring(aws_rds_cluster.this.port)
    DB_NAME       = var.database_name
  }
}

# ---------------------------------------------------------------------------
# Functions (through the shared lambda-function module)
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "validator" {
  statement {
    sid       = "ReadUploads"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${module.input_bucket.arn}/${local.incoming_prefix}*"]
  }

  statement {
    sid       = "TellMissingFromForbidden"
    actions   = ["s3:ListBucket"]
    resources = [module.input_bucket.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.incoming_prefix}*"]
    }
  }

  statement {
    sid     = "WriteNormalizedCopiesAndErrorReports"
    actions = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = [
      "${module.output_bucket.arn}/${local.normalized_prefix}*",
      "${module.output_bucket.arn}/${local.errors_prefix}*",
    ]
  }

  statement {
    sid       = "ClaimFiles"
    actions   = ["dynamodb:PutItem", "dynamodb:GetItem"]
    resources = [aws_dynamodb_table.file_claims.arn]
  }

  statement {
    sid       = "UseDataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }
}

module "validator" {
  source = "../lambda-function"

  name         = "csv-validator"
  environment  = var.environment
  pipeline     = local.pipeline
  package_path = coalesce(var.validator_package_path, "${local.dist}/csv-validator.zip")
  description  = "Validates an uploaded user-log CSV (encoding, header, every row) and claims its object version."
  memory_size  = var.validator_memory_size
  timeout      = 900
  environment_variables = {
    OUTPUT_BUCKET     = module.output_bucket.bucket
    FILE_CLAIMS_TABLE = aws_dynamodb_table.file_claims.name
    CLAIM_TTL_DAYS    = tostring(var.claim_ttl_days)
    MAX_FILE_BYTES    = tostring(var.max_file_bytes)
    MAX_ROWS          = tostring(var.max_rows)
  }
  reserved_concurrent_executions = -1
  policy_json                    = data.aws_iam_policy_document.validator.json
  vpc_config                     = null
  log_retention_days             = var.log_retention_days
  log_level                      = var.log_level
  tracing_enabled                = true
  alarm_topic_arn                = var.alarm_topic_arn
  duration_alarm_threshold_ms    = 600000
  kms_key_arn                    = aws_kms_key.this.arn
  # Step Functions invokes synchronously and retries itself; no async retries.
  maximum_retry_attempts = 0
  tags                   = local.tags
}

data "aws_iam_policy_document" "processor" {
  statement {
    sid       = "ReadDatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.db_secret_arn]
  }

  statement {
    sid       = "WriteAudit"
    actions   = ["dynamodb:BatchWriteItem", "dynamodb:PutItem"]
    resources = [aws_dynamodb_table.processing_logs.arn]
  }

  statement {
    sid     = "ReadRowsAndMapResults"
    actions = ["s3:GetObject"]
    resources = [
      "${module.input_bucket.arn}/${local.incoming_prefix}*",
      "${module.output_bucket.arn}/${local.normalized_prefix}*",
      "${module.output_bucket.arn}/${local.results_prefix}*",
    ]
  }

  statement {
    sid       = "FindMapResults"
    actions   = ["s3:ListBucket"]
    resources = [module.output_bucket.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.results_prefix}*"]
    }
  }

  statement {
    sid       = "WriteSummaries"
    actions   = ["s3:PutObject"]
    resources = ["${module.output_bucket.arn}/${local.results_prefix}*"]
  }

  statement {
    sid       = "UseDataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }
}

module "processor" {
  source = "../lambda-function"

  name         = "csv-processor"
  environment  = var.environment
  pipeline     = local.pipeline
  package_path = coalesce(var.processor_package_path, "${local.dist}/csv-processor.zip")
  description  = "Applies batches of CSV rows to user_statistics in one statement each, audits every row, summarizes each file."
  memory_size  = var.processor_memory_size
  timeout      = 300
  environment_variables = merge(local.db_environment, {
    AUDIT_TABLE   = aws_dynamodb_table.processing_logs.name
    AUDIT_SUCCESS = tostring(var.audit_successful_rows)
  })
  reserved_concurrent_executions = var.processor_reserved_concurrency
  policy_json                    = data.aws_iam_policy_document.processor.json
  vpc_config = {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [var.lambda_security_group_id]
  }
  log_retention_days          = var.log_retention_days
  log_level                   = var.log_level
  tracing_enabled             = true
  alarm_topic_arn             = var.alarm_topic_arn
  duration_alarm_threshold_ms = 120000
  kms_key_arn                 = aws_kms_key.this.arn
  maximum_retry_attempts      = 0
  tags                        = local.tags
}

data "aws_iam_policy_document" "migrate" {
  statement {
    sid       = "ReadDatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.db_secret_arn]
  }

  statement {
    sid       = "UseDataKey"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
}

module "migrate" {
  source = "../lambda-function"

  name                           = "csv-migrate"
  environment                    = var.environment
  pipeline                       = local.pipeline
  package_path                   = coalesce(var.migrate_package_path, "${local.dist}/csv-migrate.zip")
  description                    = "Applies the csv-processor schema (users, user_statistics, indexes); idempotent, invoked on apply."
  memory_size                    = 256
  timeout                        = 300
  environment_variables          = local.db_environment
  reserved_concurrent_executions = 1
  policy_json                    = data.aws_iam_policy_document.migrate.json
  vpc_config = {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [var.lambda_security_group_id]
  }
  log_retention_days          = var.log_retention_days
  log_level                   = var.log_level
  tracing_enabled             = true
  alarm_topic_arn             = var.alarm_topic_arn
  duration_alarm_threshold_ms = 240000
  kms_key_arn                 = aws_kms_key.this.arn
  maximum_retry_attempts      = 0
  tags                        = local.tags
}

# Runs the migration whenever schema.sql changes (and on first apply). A failure fails
# the apply; the statements are idempotent, so re-running is always safe.
resource "aws_lambda_invocation" "migrate" {
  function_name = module.migrate.function_name
  input         = jsonencode({ reason = "terraform apply", schemaSha256 = filesha256(local.schema_file) })

  triggers = {
    schema = filesha256(local.schema_file)
  }

  depends_on = [aws_rds_cluster_instance.this]
}

# ---------------------------------------------------------------------------
# State machine
# ---------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "state_machine" {
  # The /aws/vendedlogs/ prefix keeps the log group's resource policy small.
  name              = "/aws/vendedlogs/states/${local.state_machine_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.tags
}

data "aws_iam_policy_document" "states_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

data "aws_iam_policy_document" "state_machine" {
  statement {
    sid       = "InvokeFunctions"
    actions   = ["lambda:InvokeFunction"]
    resources = [module.validator.function_arn, "${module.validator.function_arn}:*", module.processor.function_arn, "${module.processor.function_arn}:*"]
  }

  statement {
    sid       = "StartChildWorkflows"
    actions   = ["states:StartExecution"]
    resources = [local.state_machine_arn]
  }

  statement {
    sid       = "ManageOwnExecutionsAndMapRuns"
    actions   = ["states:DescribeExecution", "states:StopExecution"]
    resources = local.execution_arns
  }

  statement {
    sid       = "DescribeOwnMapRuns"
    actions   = ["states:DescribeMapRun", "states:UpdateMapRun"]
    resources = [local.map_run_arns]
  }

  statement {
    sid     = "ReadRows"
    actions = ["s3:GetObject"]
    resources = [
      "${module.input_bucket.arn}/${local.incoming_prefix}*",
      "${module.output_bucket.arn}/${local.normalized_prefix}*",
    ]
  }

  statement {
    sid       = "WriteMapResults"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"]
    resources = ["${module.output_bucket.arn}/${local.results_prefix}*"]
  }

  statement {
    sid       = "UseDataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }

  statement {
    sid = "DeliverExecutionLogs"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    # CloudWatch Logs vended-log delivery APIs support no resource-level permissions.
    resources = ["*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    resources = ["*"] # X-Ray offers no resource-level permissions for these actions
  }
}

resource "aws_iam_role" "state_machine" {
  name               = local.state_machine_name
  description        = "Role of the ${local.state_machine_name} state machine."
  assume_role_policy = data.aws_iam_policy_document.states_assume.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "state_machine" {
  name   = local.state_machine_name
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.state_machine.json
}

resource "aws_sfn_state_machine" "this" {
  name     = local.state_machine_name
  type     = "STANDARD"
  role_arn = aws_iam_role.state_machine.arn
  definition = templatefile(local.asl_file, {
    validator_function_arn       = module.validator.function_arn
    processor_function_arn       = module.processor.function_arn
    output_bucket                = module.output_bucket.bucket
    results_prefix               = local.results_prefix
    batch_size                   = var.batch_size
    max_concurrency              = var.max_concurrency
    tolerated_failure_percentage = var.tolerated_failure_percentage
  })

  logging_configuration {
    log_destination = "${aws_cloudwatch_log_group.state_machine.arn}:*"
    # Execution data carries user ids and counts: never logged.
    include_execution_data = false
    level                  = var.state_machine_log_level
  }

  tracing_configuration {
    enabled = true
  }

  tags = local.tags

  depends_on = [aws_iam_role_policy.state_machine]
}

# ---------------------------------------------------------------------------
# EventBridge: Object Created on incoming/*.csv starts an execution.
# ---------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "object_created" {
  name        = local.prefix
  description = "Starts ${local.state_machine_name} for each CSV uploaded under ${local.incoming_prefix}."
  event_pattern = jsonencode({
    source        = ["aws.s3"]
    "detail-type" = ["Object Created"]
    detail = {
      bucket = { name = [module.input_bucket.bucket] }
      object = { key = [{ wildcard = "${local.incoming_prefix}*.csv" }, { wildcard = "${local.incoming_prefix}*.CSV" }] }
    }
  })
  tags = local.tags
}

data "aws_iam_policy_document" "events_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

data "aws_iam_policy_document" "events_target" {
  statement {
    sid       = "StartProcessing"
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.this.arn]
  }
}

resource "aws_iam_role" "events_target" {
  name               = "${local.prefix}-events"
  description        = "Lets the ${local.prefix} EventBridge rule start ${local.state_machine_name}."
  assume_role_policy = data.aws_iam_policy_document.events_assume.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "events_target" {
  name   = "${local.prefix}-events"
  role   = aws_iam_role.events_target.id
  policy = data.aws_iam_policy_document.events_target.json
}

module "events_dlq" {
  source = "../eventbridge-dlq"

  name              = "${local.prefix}-events-dlq"
  source_rule_arns  = [aws_cloudwatch_event_rule.object_created.arn]
  kms_key_arn       = aws_kms_key.this.arn
  alarm_name        = "${local.prefix}-events-undelivered"
  alarm_description = "EventBridge could not start ${local.state_machine_name}."
  alarm_topic_arn   = var.alarm_topic_arn
  tags              = local.tags
}

resource "aws_cloudwatch_event_target" "state_machine" {
  rule      = aws_cloudwatch_event_rule.object_created.name
  target_id = "csv-user-log-processor"
  arn       = aws_sfn_state_machine.this.arn
  role_arn  = aws_iam_role.events_target.arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = module.events_dlq.arn
  }
}

# ---------------------------------------------------------------------------
# Alarms
# ---------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "executions_failed" {
  alarm_name          = "${local.state_machine_name}-executions-failed"
  alarm_description   = "A file ended PROCESSING_FAILED (or the execution failed/timed out). See docs/csv-processor.md#operations."
  namespace           = "AWS/States"
  metric_name         = "ExecutionsFailed"
  dimensions          = { StateMachineArn = aws_sfn_state_machine.this.arn }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "executions_timed_out" {
  alarm_name          = "${local.state_machine_name}-executions-timed-out"
  alarm_description   = "An execution of ${local.state_machine_name} timed out."
  namespace           = "AWS/States"
  metric_name         = "ExecutionsTimedOut"
  dimensions          = { StateMachineArn = aws_sfn_state_machine.this.arn }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "files_rejected" {
  alarm_name          = "${local.prefix}-files-rejected"
  alarm_description   = "An uploaded CSV failed validation (VALIDATION_FAILED); its report is in errors/ of the output bucket."
  namespace           = "csv-processor"
  metric_name         = "FilesRejected"
  dimensions          = { service = "csv-validator", environment = var.environment }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  tags                = local.tags
}

