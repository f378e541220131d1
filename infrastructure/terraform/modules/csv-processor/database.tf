# Aurora Serverless v2 PostgreSQL (writer + reader, RDS-managed master secret, TLS
# enforced) and csv-migrate, which applies functions/csv-migrate/migrations on apply.

module "database" {
  source = "../postgres"

  name            = local.pipeline
  environment     = var.environment
  mode            = "aurora-serverless"
  engine_version  = var.database.engine_version
  database_name   = var.database.name
  master_username = "csv_admin"

  subnet_ids         = var.private_subnet_ids
  security_group_ids = [var.database_security_group_id]

  min_capacity             = var.database.min_capacity
  max_capacity             = var.database.max_capacity
  seconds_until_auto_pause = var.database.seconds_until_auto_pause
  aurora_instances         = ["writer", "reader"]

  backup_retention_days = var.database.backup_retention_days
  deletion_protection   = local.deletion_protection
  kms_key_arn           = module.key.arn
  tags                  = local.tags
}

module "migration" {
  source = "../db-migration"

  name         = "csv-migrate"
  package_path = "${local.dist_dir}/csv-migrate.zip"
  description  = "Applies functions/csv-migrate/migrations to ${var.database.name} (users, user_statistics); invoked on apply."

  database = module.database
  settings = local.function_defaults
}
