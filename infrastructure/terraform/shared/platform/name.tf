# Linked into the environment's platform modules (network, monitoring): both name what they
# create <name>-<environment>[-suffix] after the same default. The building blocks' `name`
# (required, its own rule) is shared/naming.tf's; this one lives in its own folder because
# a folder is one module and shared/ validates with naming.tf's declaration.

variable "name" {
  type        = string
  description = "Name prefix of the environment's platform resources, named \"<name>-<environment>[-suffix]\" (network: the VPC, subnets, security groups; monitoring: the dashboard, and the topic \"<name>-alarms-<environment>\")."
  default     = "platform"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be lower-case kebab-case, at most 31 characters."
  }
}
