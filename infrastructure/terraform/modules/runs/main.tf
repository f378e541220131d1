# runs: one ledger of every pipeline run (DynamoDB pipeline-runs-<env>), the REST API over it
# (runs-api-<env> behind API Gateway, IAM-authorized), failure and recovery notices from the
# table's stream (runs-stream-processor-<env>) and a daily report at 09:00 JST
# (runs-daily-report-<env> → the reports bucket and the alarm topic).
#
# The ledger is fed from outside the pipelines (runs-recorder-<env>): Step Functions status
# changes of the state machines given in state_machine_arns, and the Lambda destination
# records of the functions given in lambda_function_arns (their lambda-function blocks send
# on_success/on_failure to the default bus: destination_bus_arn = output ledger.destination_bus_arn).
#
# Files by concern: main.tf (key, ledger table), functions.tf (the four functions and their
# policies), feeds.tf (the rules feeding the recorder), api.tf (REST API, stage, access logs),
# api_account.tf (API Gateway's account-level CloudWatch role), stream.tf (the stream
# processor's mapping and its failure queue), report.tf (reports bucket, schedule),
# alarms.tf (alarms, dashboard widgets).

data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  pipeline = "runs"

  # account_id, dist_dir and deletion_protection: shared/pipeline.tf.
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.id

  table_name = module.ledger.table.name

  # The bus Lambda destinations and manual triggers go through.
  default_bus_arn = "arn:${local.partition}:events:${local.region}:${local.account_id}:event-bus/default"
}

# One customer-managed key for the ledger, its stream, queues and log groups. EventBridge
# writes to the queues encrypted with it (the key's publishing service).
module "key" {
  source = "../pipeline-key"

  settings    = local.pipeline_settings
  description = "Encrypts the pipeline-runs-${var.environment} ledger, the runs queues and log groups."
}

# ---------------------------------------------------------------------------
# The ledger: one item per run (pipeline, runId). ByStartedAt lists a pipeline's runs
# newest first, ByStatus the runs in one status across pipelines; items expire 400 days
# after their start (ttl); the stream feeds the notices.
# ---------------------------------------------------------------------------

# Names and keys as functions/shared/runs-ledger.ts reads them (LEDGER_INDEXES) and the local
# stack creates them (scripts/local/pipelines/runs-ledger.ts; a test compares the two).
module "ledger" {
  source = "../dynamodb-table"

  name                     = "pipeline-runs-${var.environment}"
  hash_key                 = "pipeline"
  range_key                = "runId"
  local_secondary_indexes  = [{ name = "ByStartedAt", range_key = "startedAt" }]
  global_secondary_indexes = [{ name = "ByStatus", hash_key = "status", range_key = "startedAt" }]
  ttl_attribute            = "ttl"
  stream_view_type         = "NEW_AND_OLD_IMAGES"

  settings = local.function_defaults
}
