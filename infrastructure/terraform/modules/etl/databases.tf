# The source (orders: an RDS PostgreSQL instance, or an existing server) and the target
# (analytics: Aurora Serverless v2, min 0 ACU so it auto-pauses between loads). Both keep their
# master password as an RDS-managed secret; the functions read it at run time. The schemas are
# created by etl-db-initializer (the migration sets functions/etl-db-initializer/*/migrations).

module "source_database" {
  source = "../postgres"

  name        = "${local.pipeline}-source"
  environment = var.environment
  mode        = var.source_database.existing == null ? "instance" : "existing"
  existing    = var.source_database.existing

  engine_version  = var.source_database.engine_version
  database_name   = var.source_database.name
  master_username = "etl_source_admin"

  subnet_ids         = var.source_database.existing == null ? var.private_subnet_ids : []
  security_group_ids = var.source_database.existing == null ? [var.database_security_group_id] : []

  instance_class           = var.source_database.instance_class
  allocated_storage_gb     = var.source_database.allocated_storage_gb
  max_allocated_storage_gb = var.source_database.max_allocated_storage_gb
  multi_az                 = var.source_database.multi_az
  backup_retention_days    = var.source_database.backup_retention_days

  deletion_protection = local.deletion_protection
  kms_key_arn         = module.key.arn
  tags                = local.tags
}

module "target_database" {
  source = "../postgres"

  name            = "${local.pipeline}-analytics"
  environment     = var.environment
  mode            = "aurora-serverless"
  engine_version  = var.target_database.engine_version
  database_name   = var.target_database.name
  master_username = "etl_analytics_admin"

  subnet_ids         = var.private_subnet_ids
  security_group_ids = [var.database_security_group_id]

  min_capacity             = var.target_database.min_capacity
  max_capacity             = var.target_database.max_capacity
  seconds_until_auto_pause = var.target_database.seconds_until_auto_pause

  backup_retention_days = var.target_database.backup_retention_days
  deletion_protection   = local.deletion_protection
  kms_key_arn           = module.key.arn
  tags                  = local.tags
}

locals {
  # functions/shared/db.ts getPool({ prefix }): SOURCE_DB_* and TARGET_DB_*.
  source_environment = { for k, v in module.source_database.lambda_environment : "SOURCE_${k}" => v }
  target_environment = { for k, v in module.target_database.lambda_environment : "TARGET_${k}" => v }
}
