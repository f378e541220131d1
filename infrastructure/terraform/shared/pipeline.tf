# Linked into every pipeline module (csv-processor, batch-scheduler, etl, salesforce-extract, runs):
# the platform they run on, taken as one input (environments/common builds it once as
# local.platform), and what they derive from it, written once. What a module needs of it differs
# (subnets for its databases, a topic to publish to): each states it in local.platform_needs
# = { private_subnets (the fewest it takes), database_security_group, alarm_topic (both bool) },
# and the validations here check it.

variable "platform" {
  type = object({
    dist_dir = optional(string)
    network = optional(object({
      private_subnet_ids         = optional(list(string), [])
      lambda_security_group_id   = optional(string)
      database_security_group_id = optional(string)
    }), {})
    alarm_topic = optional(object({
      arn         = optional(string)
      kms_key_arn = optional(string)
    }), {})
    log_retention_days       = optional(number, 7)
    log_level                = optional(string, "INFO")
    tracing_enabled          = optional(bool, true)
    deletion_protection      = optional(bool)
    iam_role_path            = optional(string, "/pipelines/")
    permissions_boundary_arn = string
  })
  description = "The platform the pipeline runs on. dist_dir: folder holding the zips `npm run build` writes (one <function>.zip per function; null: the repository's dist/ relative to this module). network (outputs of the network module): private_subnet_ids (vpc.private_subnet_ids) of the in-VPC functions and created databases, S3 reached through the VPC endpoint or NAT, none runs the functions outside any VPC; lambda_security_group_id (security_group_ids.lambda) of the in-VPC functions; database_security_group_id (security_group_ids.database) of the created databases, admitting PostgreSQL from the Lambda group. alarm_topic (monitoring module output alarm_topic): arn, the SNS topic the alarms notify (null: alarms without actions), and kms_key_arn, its key, for the functions that publish to it. log_retention_days (the functions' and state machine's log groups) and log_level (logging_config.application_log_level and POWERTOOLS_LOG_LEVEL). tracing_enabled: X-Ray active tracing of the functions. deletion_protection of the databases and tables; off also lets destroy empty the buckets (force_destroy), skips final snapshots and deletes secrets without a recovery window, so the environment can be re-applied at once (null: on in prd, off elsewhere). iam_role_path and permissions_boundary_arn: the bootstrap's workload-role contract (bootstrap outputs workload_role_path and workload_boundary_arns[<env>]): the apply role may create a role only under this path with this boundary."
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.platform.log_retention_days)
    error_message = "platform.log_retention_days must be a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.platform.log_level)
    error_message = "platform.log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }

  validation {
    condition     = length(var.platform.network.private_subnet_ids) >= local.platform_needs.private_subnets
    error_message = "platform.network.private_subnet_ids must name at least ${local.platform_needs.private_subnets} subnets for this pipeline (Aurora needs subnets in two availability zones; in-VPC functions need one)."
  }

  validation {
    condition     = length(var.platform.network.private_subnet_ids) == 0 || var.platform.network.lambda_security_group_id != null
    error_message = "platform.network.lambda_security_group_id is required when the functions run in private subnets."
  }

  validation {
    condition     = !local.platform_needs.database_security_group || var.platform.network.database_security_group_id != null
    error_message = "platform.network.database_security_group_id is required when the pipeline creates a database."
  }

  validation {
    condition     = var.platform.alarm_topic.arn == null ? !local.platform_needs.alarm_topic : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", var.platform.alarm_topic.arn))
    error_message = "platform.alarm_topic.arn must be an SNS topic ARN${local.platform_needs.alarm_topic ? " (this pipeline publishes to it)" : ", or null"}."
  }
}

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id

  dist_dir            = coalesce(var.platform.dist_dir, "${path.module}/../../../../dist")
  deletion_protection = coalesce(var.platform.deletion_protection, var.environment == "prd")

  # The in-VPC functions' placement: the private subnets and the Lambda security group; without
  # subnets the functions run outside any VPC.
  vpc_config = length(var.platform.network.private_subnet_ids) > 0 ? {
    subnet_ids         = var.platform.network.private_subnet_ids
    security_group_ids = [var.platform.network.lambda_security_group_id]
  } : null

  # How the pipeline deploys its functions (lambda-function's and db-migration's settings) and
  # keeps its data (deletion_protection: shared/data/settings.tf) but for its name and tags
  # (local.pipeline_settings below, what pipeline-key takes) and its key, which each module
  # merges in once as local.function_defaults (what every other block takes).
  function_settings = {
    environment              = var.environment
    deletion_protection      = local.deletion_protection
    log_retention_days       = var.platform.log_retention_days
    log_level                = var.platform.log_level
    tracing_enabled          = var.platform.tracing_enabled
    alarm_topic_arn          = var.platform.alarm_topic.arn
    iam_role_path            = var.platform.iam_role_path
    permissions_boundary_arn = var.platform.permissions_boundary_arn
    vpc_config               = local.vpc_config
  }

  # The pipeline's tags (its resources' and every block's) and the settings the building blocks
  # take (shared/function_settings.tf, shared/data/settings.tf) but for the key; local.pipeline
  # is the module's own name (its main.tf).
  tags              = merge(var.tags, { Pipeline = local.pipeline })
  pipeline_settings = merge(local.function_settings, { pipeline = local.pipeline, tags = local.tags })
}
