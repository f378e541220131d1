# Not linked anywhere: each building block declares its own `name` (what it names
# differs). Declared here so that this folder, like every other, validates on its own.

variable "name" {
  type        = string
  description = "Name of the thing a building block deploys, without the environment."
}
