# Linked into the environment's platform modules (network, monitoring): both name what they
# create <name>-<environment>[-suffix] after the same default. The building blocks and the
# pipeline modules declare their own `name` (what it names, and how long it may be, differs).

variable "name" {
  type        = string
  description = "Name prefix of the environment's platform resources, named \"<name>-<environment>[-suffix]\" (network: the VPC, subnets, security groups; monitoring: the dashboard, and the topic \"<name>-alarms-<environment>\")."
  default     = "platform"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be lower-case kebab-case, at most 31 characters."
  }
}
