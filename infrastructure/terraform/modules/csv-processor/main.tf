# csv-processor: S3 upload → EventBridge → Step Functions (validator, distributed map of
# processor batches, summary) → Aurora PostgreSQL user_statistics, every row audited in
# DynamoDB ProcessingLogs. The state machine is the same ASL file the local runner runs.
#
# Files by concern: storage.tf (buckets, tables), database.tf (Aurora, migration),
# functions.tf, workflow.tf (state machine), events.tf (upload rule), alarms.tf,
# moved.tf (addresses kept from the single-file module), pipeline.tf (shared/pipeline.tf:
# the inputs and locals every pipeline module takes alike).

locals {
  pipeline = "csv-processor"
  # The one place <name>-<env> is composed for this pipeline's own resources; the
  # building blocks compose theirs from (name, environment) the same way.
  prefix = "${local.pipeline}-${var.environment}"

  incoming_prefix   = "incoming/"
  results_prefix    = "results/"
  normalized_prefix = "normalized/"
  errors_prefix     = "errors/"

  functions_dir = "${path.module}/../../../../functions"
}

# One customer-managed key for the buckets, tables, database, its secret, queues and logs.
module "key" {
  source = "../pipeline-key"

  settings    = local.pipeline_settings
  description = "Encrypts the ${local.prefix} buckets, tables, Aurora cluster, its secret and logs."
}
