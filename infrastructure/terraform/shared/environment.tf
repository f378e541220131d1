# Defined once and linked into every module and environment root that takes it
# (`ln -s ../../shared/environment.tf`): the environments are decided in one place.

variable "environment" {
  type        = string
  description = "Deployment environment: \"dev\" or \"prd\". Suffix of every resource name (<name>-<environment>)."

  validation {
    condition     = contains(["dev", "prd"], var.environment)
    error_message = "environment must be \"dev\" or \"prd\"."
  }
}

# shared/naming.tf composes <name>-<environment> from local.environment: here from the variable,
# in the modules that take `settings` (shared/function_settings.tf) from settings.environment.
locals {
  environment = var.environment
}
