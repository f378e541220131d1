# Defined once and linked into every module that tags its resources.

variable "tags" {
  type        = map(string)
  description = "Extra tags for every resource (the provider's default_tags add Project, Environment, ManagedBy)."
  default     = {}
}
