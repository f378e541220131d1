# Aurora Serverless v2 PostgreSQL (writer + reader, RDS-managed master secret, TLS
# enforced) and csv-migrate, which applies functions/csv-migrate/migrations on apply.

module "database" {
  source = "../postgres"

  name            = local.pipeline
  settings        = local.function_defaults
  mode            = "aurora-serverless"
  master_username = "csv_admin"
  server          = merge(var.database, { aurora_instances = ["writer", "reader"] })

  subnet_ids         = var.platform.network.private_subnet_ids
  security_group_ids = [var.platform.network.database_security_group_id]
}

module "migration" {
  source = "../db-migration"

  name         = "csv-migrate"
  package_path = "${local.dist_dir}/csv-migrate.zip"
  description  = "Applies functions/csv-migrate/migrations to ${var.database.name} (users, user_statistics); invoked on apply."

  database = module.database
  settings = local.function_defaults
}
