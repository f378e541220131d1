# csv-validator (outside the VPC: S3 and DynamoDB only) and csv-processor (in the VPC,
# against Aurora), each with its least-privilege policy.

locals {
  # lambda-function's (and db-migration's) settings: the pipeline's, with its name, key and tags.
  # The key is also the data key of the buckets and tables: the module's kms statement covers both.
  function_defaults = merge(local.pipeline_settings, { kms_key_arn = module.key.arn })
}

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
    resources = [module.file_claims.table.arn]
  }
}

module "validator" {
  source = "../lambda-function"

  name         = "csv-validator"
  settings     = merge(local.function_defaults, { vpc_config = null })
  package_path = "${local.dist_dir}/csv-validator.zip"
  description  = "Validates an uploaded user-log CSV (encoding, header, every row) and claims its object version."
  memory_size  = var.functions.validator.memory_size
  timeout      = 900
  environment_variables = {
    OUTPUT_BUCKET     = module.output_bucket.bucket
    FILE_CLAIMS_TABLE = module.file_claims.table.name
    CLAIM_TTL_DAYS    = tostring(var.processing.claim_ttl_days)
    MAX_FILE_BYTES    = tostring(var.processing.max_file_bytes)
    MAX_ROWS          = tostring(var.processing.max_rows)
  }
  reserved_concurrent_executions = -1
  policy_json                    = data.aws_iam_policy_document.validator.json
  duration_alarm_threshold_ms    = 600000
  # Step Functions invokes synchronously and retries itself; no async retries.
  maximum_retry_attempts = 0
}

data "aws_iam_policy_document" "processor" {
  statement {
    sid       = "ReadDatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [module.database.secret_arn]
  }

  statement {
    sid       = "WriteAudit"
    actions   = ["dynamodb:BatchWriteItem", "dynamodb:PutItem"]
    resources = [module.processing_logs.table.arn]
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
}

module "processor" {
  source = "../lambda-function"

  name         = "csv-processor"
  settings     = local.function_defaults
  package_path = "${local.dist_dir}/csv-processor.zip"
  description  = "Applies batches of CSV rows to user_statistics in one statement each, audits every row, summarizes each file."
  memory_size  = var.functions.processor.memory_size
  timeout      = 300
  environment_variables = merge(module.database.lambda_environment, {
    AUDIT_TABLE   = module.processing_logs.table.name
    AUDIT_SUCCESS = tostring(var.processing.audit_successful_rows)
  })
  reserved_concurrent_executions = var.functions.processor.reserved_concurrent_executions
  policy_json                    = data.aws_iam_policy_document.processor.json
  duration_alarm_threshold_ms    = 120000
  maximum_retry_attempts         = 0
}
