# RDS PostgreSQL (database "shirogane"), unless an existing server is given, and
# sync-batch-migrate, which applies functions/sync-batch-migrate/migrations on apply.
# The master password is managed by RDS in Secrets Manager and rotated by it; the
# functions read it at run time and refetch it once on an authentication failure.

module "database" {
  source = "../postgres"

  name     = local.pipeline
  settings = local.function_defaults
  mode     = var.create_database ? "instance" : "existing"
  existing = var.existing_database

  master_username = "shirogane_admin"
  server          = var.database

  # An existing server needs neither: the function reaches it through its own subnets.
  subnet_ids         = var.create_database ? var.platform.network.private_subnet_ids : []
  security_group_ids = var.create_database ? [var.platform.network.database_security_group_id] : []
}

module "migration" {
  source = "../db-migration"

  name         = "sync-batch-migrate"
  package_path = "${local.dist_dir}/sync-batch-migrate.zip"
  description  = "Applies functions/sync-batch-migrate/migrations to ${module.database.database_name}; invoked on apply."

  database = module.database
  settings = local.function_defaults
}
