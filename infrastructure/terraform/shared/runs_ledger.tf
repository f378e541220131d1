# Linked into the pipeline modules whose plain-Lambda functions the run ledger records
# (batch-scheduler, etl): with runs_ledger set, each such function gets RUNS_TABLE (its own
# recordRunStart/addRunCounts write the real start and counts), the grant to write its runs
# and use the ledger's key, and destinations on the bus the runs module's recorder listens to.

variable "runs_ledger" {
  type = object({
    table_name          = string
    table_arn           = string
    kms_key_arn         = string
    destination_bus_arn = string
  })
  description = "The run ledger (the runs module's output ledger): the pipeline's functions record their runs in it and send their invocation records to the bus. null: no ledger (RUNS_TABLE unset, the functions skip their ledger writes; failures straight to the dead-letter queue)."
  default     = null
}

data "aws_iam_policy_document" "runs_ledger" {
  count = var.runs_ledger == null ? 0 : 1

  statement {
    # recordRunStart/addRunCounts: conditional updates of the function's own runs.
    sid       = "RecordOwnRuns"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [var.runs_ledger.table_arn]
  }

  statement {
    sid       = "UseLedgerKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.runs_ledger.kms_key_arn]
  }
}

locals {
  runs_ledger_environment = var.runs_ledger == null ? {} : { RUNS_TABLE = var.runs_ledger.table_name }
  runs_ledger_bus_arn     = var.runs_ledger == null ? null : var.runs_ledger.destination_bus_arn
  # For a function's policy document: source_policy_documents = local.runs_ledger_policy_documents.
  runs_ledger_policy_documents = data.aws_iam_policy_document.runs_ledger[*].json
}
