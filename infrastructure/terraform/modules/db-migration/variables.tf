variable "name" {
  type        = string
  description = "Function folder of the migrate function, <pipeline function>-migrate (e.g. \"csv-migrate\"). Deployed as <name>-<environment>, which the bootstrap lets the apply role invoke."

  validation {
    condition     = endswith(var.name, "-migrate")
    error_message = "name must end in -migrate (the apply role may invoke only *-migrate-<env>)."
  }
}

variable "package_path" {
  type        = string
  description = "Path of dist/<name>.zip; its hash decides when the migration runs again."
}

variable "description" {
  type        = string
  description = "What the function migrates, e.g. \"Applies functions/csv-migrate/migrations to csv_processor.\"."
}

variable "database" {
  type = object({
    lambda_environment = map(string)
    secret_arn         = string
  })
  description = "The database to migrate: pass the postgres module itself (database = module.database). Its lambda_environment (DB_SECRET_ARN, DB_HOST, DB_PORT, DB_NAME) waits for the server to exist; the function may read only its secret_arn."

  validation {
    condition     = alltrue([for k in ["DB_SECRET_ARN", "DB_HOST", "DB_PORT", "DB_NAME"] : contains(keys(var.database.lambda_environment), k)])
    error_message = "database.lambda_environment needs DB_SECRET_ARN, DB_HOST, DB_PORT and DB_NAME."
  }
}

variable "triggers" {
  type        = map(string)
  description = "More values that re-run the migration when they change (the package hash always does)."
  default     = {}
}

variable "timeout" {
  type        = number
  description = "Timeout of one migration run, in seconds (the apply waits for it)."
  default     = 300
}

