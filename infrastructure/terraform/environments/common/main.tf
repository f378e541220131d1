# Root module of one environment: provider, platform (network, monitoring) and
# the pipeline modules. dev and prd link to this file (environments/common); they
# differ only by terraform.tfvars and backend.hcl.

provider "aws" {
  region              = var.region
  allowed_account_ids = length(var.allowed_account_ids) > 0 ? var.allowed_account_ids : null

  default_tags {
    tags = {
      Project     = var.project
      Environment = var.environment
      ManagedBy   = "terraform"
      Pipeline    = "platform" # modules override it with their pipeline's name
    }
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # The bootstrap's workload boundary of this environment (bootstrap/boundary.tf): every
  # role the pipeline modules create carries it, under the path /pipelines/ (the modules'
  # iam_role_path default), or the apply role may not create it.
  permissions_boundary_arn = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:policy/pipelines-workload-boundary-${var.environment}"

  # What every pipeline module runs on (their platform input, shared/pipeline.tf), built once.
  platform = {
    # Zips written by `npm run build` at the repository root.
    dist_dir = "${path.root}/../../../../dist"
    network = {
      private_subnet_ids         = module.network.vpc.private_subnet_ids
      lambda_security_group_id   = module.network.security_group_ids.lambda
      database_security_group_id = module.network.security_group_ids.database
    }
    alarm_topic              = module.monitoring.alarm_topic
    log_retention_days       = var.log_retention_days
    log_level                = var.log_level
    deletion_protection      = var.deletion_protection
    permissions_boundary_arn = local.permissions_boundary_arn
  }

  # The per-environment settings the pipeline modules take (output platform.pipeline_defaults):
  # the platform's log and protection settings, the schedules' state and the Aurora capacity.
  pipeline_defaults = merge(
    { for setting in ["log_retention_days", "log_level", "deletion_protection"] : setting => local.platform[setting] },
    {
      environment       = var.environment
      schedules_enabled = var.schedules_enabled
      # Every pipeline's Aurora Serverless v2 database (csv-processor's, etl's analytics) scales alike.
      aurora_capacity = {
        min_capacity             = var.aurora_min_capacity
        max_capacity             = var.aurora_max_capacity
        seconds_until_auto_pause = var.aurora_seconds_until_auto_pause
      }
    },
  )
}

# -----------------------------------------------------------------------------
# Platform
# -----------------------------------------------------------------------------

module "network" {
  source = "../../modules/network"

  name                             = "platform"
  environment                      = var.environment
  cidr_block                       = var.vpc_cidr
  single_nat_gateway               = var.single_nat_gateway
  interface_endpoints              = var.interface_endpoints
  existing_vpc_id                  = var.existing_vpc_id
  existing_private_subnet_ids      = var.existing_private_subnet_ids
  existing_public_subnet_ids       = var.existing_public_subnet_ids
  existing_private_route_table_ids = var.existing_private_route_table_ids
  bastion_enabled                  = var.bastion_enabled
  permissions_boundary_arn         = local.permissions_boundary_arn
}

module "monitoring" {
  source = "../../modules/monitoring"

  name        = "platform"
  environment = var.environment
  alarm_topic = { emails = var.alarm_emails }

  # Pipelines: add your deployed function names / state machine ARNs / widgets here.
  dashboard = {
    lambda_function_names = concat(
      [
        module.csv_processor.functions["csv-validator"].function_name,
        module.csv_processor.functions["csv-processor"].function_name,
        module.batch_scheduler.function.function_name,
      ],
      module.etl.monitoring.lambda_function_names,
      local.salesforce_extract_monitoring.lambda_function_names,
      local.runs_monitoring.lambda_function_names,
    )
    state_machine_arns = concat(
      [module.csv_processor.state_machine.arn],
      local.salesforce_extract_monitoring.state_machine_arns,
    )
    extra_widgets = concat(
      local.salesforce_extract_monitoring.extra_widgets,
      local.runs_monitoring.extra_widgets,
    )
  }
}

# -----------------------------------------------------------------------------
# Pipelines — add pipeline modules below this line.
#
# Each pipeline module lives in ../../modules/<pipeline> and is called like:
#
#   module "batch_scheduler" {
#     source = "../../modules/batch-scheduler"
#
#     environment = var.environment
#     # zips, network, alarm topic, logs, deletion protection, workload boundary:
#     platform    = local.platform
#     ...
#   }
#
# The wiring test (infrastructure/terraform/tests/wiring.test.ts) requires every
# functions/<name>/handler.ts to be deployed from dist/<name>.zip by some module.
# -----------------------------------------------------------------------------

# >>> pipelines: csv-processor (module "csv_processor")
module "csv_processor" {
  source = "../../modules/csv-processor"

  environment = var.environment
  platform    = local.platform

  processing = {
    batch_size                   = var.csv_processor_batch_size
    max_concurrency              = var.csv_processor_max_concurrency
    tolerated_failure_percentage = var.csv_processor_tolerated_failure_percentage
  }

  database = local.pipeline_defaults.aurora_capacity
}

# <<< pipelines: csv-processor

# >>> pipelines: batch-scheduler (module "batch_scheduler")
module "batch_scheduler" {
  source = "../../modules/batch-scheduler"

  environment = var.environment
  # The original runbook: sync-batch logs are kept 7 days at INFO in every environment.
  platform = merge(local.platform, { log_retention_days = 7, log_level = "INFO" })

  schedule_times_jst = var.batch_scheduler_schedule_times_jst
  schedule_enabled   = var.schedules_enabled
  channel_ids        = var.batch_scheduler_channel_ids

  database = { multi_az = var.database_multi_az }
  # runs.tf: sync-batch records its runs (RUNS_TABLE, destinations to the recorder's bus).
  runs_ledger = local.runs_ledger
}

# <<< pipelines: batch-scheduler

# >>> pipelines: etl (module "etl")
module "etl" {
  source = "../../modules/etl"

  environment = var.environment
  platform    = local.platform

  schedule_enabled = var.schedules_enabled

  databases = {
    source = { multi_az = var.database_multi_az }
    target = local.pipeline_defaults.aurora_capacity
  }
  runs_ledger = local.runs_ledger
}

# <<< pipelines: etl
