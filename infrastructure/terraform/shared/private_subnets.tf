# Not linked anywhere: each pipeline module declares its own private_subnet_ids (how many
# subnets its databases need differs). Declared here so that this folder, like every other,
# validates on its own (pipeline.tf reads it).

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets (network module output private_subnet_ids) of a pipeline's databases and in-VPC functions."
}
