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
  environment  = var.environment
  pipeline     = local.pipeline
  package_path = "${local.dist_dir}/csv-migrate.zip"
  description  = "Applies functions/csv-migrate/migrations to ${var.database.name} (users, user_statistics); invoked on apply."

  database    = module.database
  vpc_config  = local.vpc_config
  kms_key_arn = module.key.arn

  log_retention_days = var.log_retention_days
  log_level          = var.log_level
  alarm_topic_arn    = var.alarm_topic_arn
  tags               = local.tags

  iam_role_path            = var.iam_role_path
  permissions_boundary_arn = var.permissions_boundary_arn
}
