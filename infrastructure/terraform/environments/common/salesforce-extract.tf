# salesforce-extract (Salesforce → S3 raw CSV), in its own file so that turning it on is one
# tfvars line. Off until its secret can be filled: apply with salesforce_extract_enabled = true
# creates the secret salesforce-extract-<env>/jwt empty, then set its value
# (docs/salesforce-extract.md, "The secret") before the first scheduled run.
# Linked into dev/ and prd/ like main.tf.

variable "salesforce_extract_enabled" {
  type        = bool
  description = "Deploy salesforce-extract (bucket, secret, watermark table, function, state machine, schedule, manual rule). Off until the connected app exists and its secret can be set."
  default     = false
}

variable "salesforce_extract_objects" {
  type        = any
  description = "Objects to extract: a list of {name, fields = [\"*\"] or a SELECT list, where, mode (auto|rest|bulk), incremental, include_deleted, alarm_when_empty} (the module's objects variable checks them). null: Account and Contact, every queryable field, incremental, mode auto."
  default     = null
}

variable "salesforce_extract_schedule" {
  type        = string
  description = "When salesforce-extract runs, in JST (EventBridge Scheduler cron(...) or rate(...), time zone Asia/Tokyo)."
  default     = "cron(0 3 * * ? *)"
}

variable "salesforce_extract_in_vpc" {
  type        = bool
  description = "Run salesforce-extract in the private subnets: Salesforce then sees the NAT gateways' fixed addresses, for an integration user whose profile restricts login IP ranges. Off: outside any VPC."
  default     = false
}

module "salesforce_extract" {
  source = "../../modules/salesforce-extract"
  count  = var.salesforce_extract_enabled ? 1 : 0

  environment = var.environment
  # In the private subnets when salesforce_extract_in_vpc, else outside any VPC (no network).
  platform = merge(local.platform, { network = var.salesforce_extract_in_vpc ? local.platform.network : null })

  objects          = var.salesforce_extract_objects
  settings         = { schedule_expression = var.salesforce_extract_schedule }
  schedule_enabled = var.schedules_enabled
}

locals {
  # What the monitoring module shows of salesforce-extract (nothing while it is off).
  salesforce_extract_monitoring = {
    lambda_function_names = flatten(module.salesforce_extract[*].monitoring.lambda_function_names)
    state_machine_arns    = flatten(module.salesforce_extract[*].monitoring.state_machine_arns)
    extra_widgets         = flatten(module.salesforce_extract[*].monitoring.extra_widgets)
  }
}

output "salesforce_extract" {
  description = "salesforce-extract names operators use (null while salesforce_extract_enabled is false): the raw bucket, the secret to fill, the watermark table, the function, state machine, schedule and manual rule, and the manual-run command."
  value = var.salesforce_extract_enabled ? {
    bucket_name            = module.salesforce_extract[0].storage.bucket_name
    secret_name            = module.salesforce_extract[0].secret.name
    watermark_table_name   = module.salesforce_extract[0].storage.watermark_table_name
    function_name          = module.salesforce_extract[0].function.function_name
    state_machine_arn      = module.salesforce_extract[0].state_machine.arn
    schedule_name          = module.salesforce_extract[0].triggers.schedule_name
    manual_rule_name       = module.salesforce_extract[0].triggers.manual_rule_name
    manual_trigger_command = module.salesforce_extract[0].triggers.manual_trigger_command
  } : null
}
