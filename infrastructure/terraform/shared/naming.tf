# The one naming rule of the building blocks that name what they create after a pipeline,
# a function or a schedule: `name` is declared and checked here and composed here as
# <name>-<environment>. Linked into lambda-function, state-machine, schedule, triggers,
# postgres, network and monitoring; each module's README says what its name names. local.environment
# comes from wherever the module takes the environment (shared/environment.tf's variable, or
# shared/function_settings.tf's settings).
#
# The longest names built from it, against their AWS limits (<environment> is 3 characters):
#   triggers        <name>-<env>-manual-trigger (EventBridge rule, 64)  -> name <= 45
#   schedule        <name>-<env>-scheduler (IAM role, 64)               -> name <= 50
#   lambda-function <name>-<env>-failures (EventBridge rule, 64)        -> name <= 51
#   postgres        <name>-<env>-<instance> (RDS identifier, 63; no "--", no trailing "-"):
#                   13 characters left for an Aurora instance's name ("writer", "reader")
#   state-machine   <name>-<env> (its role, 64)
#   network         <name>-<env>-bastion (IAM role and instance profile, 64)
#   monitoring      <name>-alarms-<env> (SNS topic, 256), <name>-<env> (dashboard, 255)
# so one rule, at most 45 characters, fits every block.

variable "name" {
  type        = string
  description = "Name the module's resources are deployed under as <name>-<environment> (its README lists them): lower-case kebab-case, 3-45 characters."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,43}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be lower-case kebab-case (a-z, 0-9, single hyphens), start with a letter, end with a letter or digit, and be 3-45 characters: the longest name built from it, the EventBridge rule <name>-<environment>-manual-trigger, must fit 64 characters, and RDS identifiers refuse \"--\"."
  }
}

locals {
  qualified_name = "${var.name}-${local.environment}"
}
