# The source (orders: an RDS PostgreSQL instance, or an existing server) and the target
# (analytics: Aurora Serverless v2, min 0 ACU so it auto-pauses between loads). Both keep their
# master password as an RDS-managed secret; the functions read it at run time. The schemas are
# created by etl-db-initializer (the migration sets functions/etl-db-initializer/*/migrations).

module "source_database" {
  source = "../postgres"

  name     = "${local.pipeline}-source"
  settings = local.function_defaults
  mode     = var.databases.source.existing == null ? "instance" : "existing"
  existing = var.databases.source.existing

  master_username = "etl_source_admin"
  server          = var.databases.source

  subnet_ids         = var.databases.source.existing == null ? var.platform.network.private_subnet_ids : []
  security_group_ids = var.databases.source.existing == null ? [var.platform.network.database_security_group_id] : []
}

module "target_database" {
  source = "../postgres"

  name            = "${local.pipeline}-analytics"
  settings        = local.function_defaults
  mode            = "aurora-serverless"
  master_username = "etl_analytics_admin"
  server          = var.databases.target

  subnet_ids         = var.platform.network.private_subnet_ids
  security_group_ids = [var.platform.network.database_security_group_id]
}

locals {
  # functions/shared/db.ts getPool({ prefix }): SOURCE_DB_* and TARGET_DB_*.
  source_environment = { for k, v in module.source_database.lambda_environment : "SOURCE_${k}" => v }
  target_environment = { for k, v in module.target_database.lambda_environment : "TARGET_${k}" => v }
}
