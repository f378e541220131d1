# Linked into every pipeline module (csv-processor, batch-scheduler, etl, salesforce-extract): the
# inputs they take alike and what they derive from them, written once.

variable "dist_dir" {
  type        = string
  description = "Folder holding the zips `npm run build` writes (one <function>.zip per function of the pipeline). null uses the repository's dist/ relative to this module."
  default     = null
}

variable "deletion_protection" {
  type        = bool
  description = "Deletion protection of the pipeline's databases (and DynamoDB tables); off also lets destroy empty its buckets (force_destroy), skips final snapshots and deletes secrets without a recovery window, so the environment can be re-applied at once. null: on in prd, off elsewhere."
  default     = null
}

variable "tracing_enabled" {
  type        = bool
  description = "X-Ray active tracing of the pipeline's functions."
  default     = true
}

variable "lambda_security_group_id" {
  type        = string
  description = "Security group of the pipeline's in-VPC functions (network module output security_group_ids.lambda); the database security group admits it on 5432."
}

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id

  dist_dir            = coalesce(var.dist_dir, "${path.module}/../../../../dist")
  deletion_protection = coalesce(var.deletion_protection, var.environment == "prd")

  # The in-VPC functions' placement: the pipeline's private subnets (each module declares
  # private_subnet_ids itself: how many its databases need differs) and the Lambda security group.
  vpc_config = {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [var.lambda_security_group_id]
  }

  # How the pipeline deploys its functions (lambda-function's and db-migration's settings) but for
  # its name, key and tags, which each module merges in once as local.function_defaults.
  function_settings = merge(local.function_inputs, { vpc_config = local.vpc_config })
}
