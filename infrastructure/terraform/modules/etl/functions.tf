# The three functions (sizes from ../shared/DESIGN.md §3 "etl"), in the VPC, each with a policy
# that reaches only what it uses: its database secret(s) and etl-data/* in the bucket.

locals {
  # V8 grows its young generation with the allocation rate: streaming 1M orders' rows through gzip
  # took etl-load from 82 to 107 MB peak RSS with the default, 93 MB with 2 MB semi-spaces, at
  # the same speed (npm run bench -- etl, which runs the functions with this same setting).
  node_options = "--max-semi-space-size=2"

  # lambda-function's (and db-migration's) settings: the pipeline's, with its name, key and tags.
  function_defaults = merge(local.pipeline_settings, { kms_key_arn = module.key.arn })
}

data "aws_iam_policy_document" "extract" {
  source_policy_documents = local.runs_ledger_policy_documents

  statement {
    sid       = "ReadSourceSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [module.source_database.secret_arn]
  }

  statement {
    sid = "WriteDatasetsAndManifests"
    # lib-storage uploads in parts: PutObject covers create/upload/complete, abort is separate.
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${module.bucket.arn}/${local.data_prefix}*"]
  }
}

module "extract" {
  source = "../lambda-function"

  name         = "etl-extract-transform"
  settings     = local.function_defaults
  package_path = "${local.dist_dir}/etl-extract-transform.zip"
  description  = "Aggregates a JST day of orders in the source database into etl-data/<date>/*.jsonl.gz and its manifest."
  memory_size  = 1024
  timeout      = 900

  environment_variables = merge(local.source_environment, local.runs_ledger_environment, {
    ETL_BUCKET   = module.bucket.bucket
    NODE_OPTIONS = local.node_options
  })
  destination_bus_arn = local.runs_ledger_bus_arn

  # One run at a time: a backfill and the schedule never extract side by side.
  reserved_concurrent_executions = 1
  policy_json                    = data.aws_iam_policy_document.extract.json
  allowed_triggers = {
    manual = {
      principal    = "events.amazonaws.com"
      source_arn   = module.triggers.rules["manual"].arn
      statement_id = "AllowEventBridge-manual"
    }
  }

  duration_alarm_threshold_ms = 600000
}

data "aws_iam_policy_document" "load" {
  source_policy_documents = local.runs_ledger_policy_documents

  statement {
    sid       = "ReadTargetSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [module.target_database.secret_arn]
  }

  statement {
    sid       = "ReadDatasetsAndManifests"
    actions   = ["s3:GetObject"]
    resources = ["${module.bucket.arn}/${local.data_prefix}*"]
  }

  # Without it S3 answers a not-yet-visible object with 403, which is not retried; with it, 404.
  statement {
    sid       = "TellMissingFromForbidden"
    actions   = ["s3:ListBucket"]
    resources = [module.bucket.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.data_prefix}*"]
    }
  }
}

module "load" {
  source = "../lambda-function"

  name         = "etl-load"
  settings     = local.function_defaults
  package_path = "${local.dist_dir}/etl-load.zip"
  description  = "Verifies a date's datasets against its manifest and loads them into the analytics database in one transaction."
  memory_size  = 512
  timeout      = 600

  environment_variables = merge(local.target_environment, local.runs_ledger_environment, { NODE_OPTIONS = local.node_options })
  destination_bus_arn   = local.runs_ledger_bus_arn

  # Loads of different dates may overlap; a few at most, to spare the database's connections.
  reserved_concurrent_executions = var.settings.load_reserved_concurrency
  policy_json                    = data.aws_iam_policy_document.load.json
  allowed_triggers = {
    manifest = {
      principal    = "events.amazonaws.com"
      source_arn   = module.triggers.rules["manifest_created"].arn
      statement_id = "AllowEventBridge-manifest"
    }
  }

  duration_alarm_threshold_ms = 300000
}

data "aws_iam_policy_document" "initializer" {
  statement {
    sid       = "ReadDatabaseSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [module.source_database.secret_arn, module.target_database.secret_arn]
  }
}

module "initializer" {
  source = "../lambda-function"

  name         = "etl-db-initializer"
  settings     = local.function_defaults
  package_path = "${local.dist_dir}/etl-db-initializer.zip"
  description  = "Creates the etl source and analytics schemas (and, with {\"sampleData\": true}, sample orders); run by hand."
  memory_size  = 512
  timeout      = 600

  environment_variables = merge(local.source_environment, local.target_environment)

  reserved_concurrent_executions = 1
  policy_json                    = data.aws_iam_policy_document.initializer.json
  # Run by hand, synchronously: no asynchronous retries.
  maximum_retry_attempts = 0

  duration_alarm_threshold_ms = 480000
}
