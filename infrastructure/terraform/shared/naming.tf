# The one place a deployed name is composed: <name>-<environment> (functions and their
# log groups and roles, state machines, schedules, databases, keys). Linked into every
# building block that takes `name` and `environment`.

locals {
  qualified_name = "${var.name}-${var.environment}"
}
