# What a pipeline module needs of var.platform (shared/pipeline.tf checks it), and its name
# (shared/pipeline.tf tags with it): each pipeline module states its own, in its variables.tf
# and main.tf. This one is linked nowhere: it lets this folder validate on its own.

locals {
  platform_needs = { private_subnets = 0, database_security_group = false, alarm_topic = false }
  pipeline       = "shared"
}
