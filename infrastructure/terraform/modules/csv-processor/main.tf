# csv-processor: S3 upload → EventBridge → Step Functions (validator, distributed map of
# processor batches, summary) → Aurora PostgreSQL user_statistics, every row audited in
# DynamoDB ProcessingLogs. The state machine is the same ASL file the local runner runs.
#
# Files by concern: storage.tf (buckets, tables), database.tf (Aurora, migration),
# functions.tf, workflow.tf (state machine), events.tf (upload rule), alarms.tf,
# moved.tf (addresses kept from the single-file module).

data "aws_caller_identity" "current" {}

locals {
  pipeline = "csv-processor"
  # The one place <name>-<env> is composed for this pipeline's own resources; the
  # building blocks compose theirs from (name, environment) the same way.
  prefix  = "${local.pipeline}-${var.environment}"
  account = data.aws_caller_identity.current.account_id

  incoming_prefix   = "incoming/"
  results_prefix    = "results/"
  normalized_prefix = "normalized/"
  errors_prefix     = "errors/"

  deletion_protection = coalesce(var.deletion_protection, var.environment == "prd")
  functions_dir       = "${path.module}/../../../../functions"
  dist_dir            = coalesce(var.dist_dir, "${path.module}/../../../../dist")

  vpc_config = {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [var.lambda_security_group_id]
  }

  tags = merge(var.tags, { Pipeline = local.pipeline })
}

# One customer-managed key for the buckets, tables, database, its secret, queues and logs.
module "key" {
  source = "../pipeline-key"

  name        = local.pipeline
  environment = var.environment
  description = "Encrypts the ${local.prefix} buckets, tables, Aurora cluster, its secret and logs."
  tags        = local.tags
}
