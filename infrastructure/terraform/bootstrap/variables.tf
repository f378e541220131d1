variable "github_repository" {
  type        = string
  description = "GitHub repository allowed to deploy, as \"owner/name\" (OIDC subject repo:<owner>/<name>:environment:<env>[-plan])."

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be \"owner/name\"."
  }
}

variable "region" {
  type        = string
  description = "Region of the state bucket and of the environments the roles may deploy."
  default     = "ap-northeast-1"
}

variable "project" {
  type        = string
  description = "Project tag and prefix of the state bucket and role names."
  default     = "aws-data-pipelines"
}

variable "environments" {
  type        = list(string)
  description = "Environments deployed from this account; one plan role and one apply role each."
  default     = ["dev", "prd"]

  validation {
    condition     = length(var.environments) > 0 && alltrue([for e in var.environments : contains(["dev", "prd"], e)])
    error_message = "environments may only contain \"dev\" and \"prd\"."
  }
}

variable "state_bucket_name" {
  type        = string
  description = "Name of the Terraform state bucket. null: \"<project>-tfstate-<account id>-<region>\"."
  default     = null
}

variable "existing_oidc_provider_arn" {
  type        = string
  description = "ARN of an existing token.actions.githubusercontent.com OIDC provider in the account (an account has at most one). null creates it."
  default     = null
}
