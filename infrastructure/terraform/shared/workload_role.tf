# Defined once and linked into every module that creates IAM roles (directly or through
# the building blocks it calls): the contract with the bootstrap's workload boundary
# (bootstrap/README.md, "Workload roles"). The apply role may create a role only under
# this path and only with this environment's boundary.

variable "iam_role_path" {
  type        = string
  description = "Path of the module's IAM roles; the bootstrap lets the apply role manage roles only under it (bootstrap output workload_role_path)."
  default     = "/pipelines/"
}

variable "permissions_boundary_arn" {
  type        = string
  description = "Permissions boundary of the module's IAM roles: the bootstrap output workload_boundary_arns[<env>] (arn:<partition>:iam::<account>:policy/pipelines-workload-boundary-<env>)."
}
