output "lambda_environment" {
  description = "Environment variables a function connects with (functions/shared/db.ts): DB_SECRET_ARN, DB_HOST, DB_PORT, DB_NAME. Available once the cluster's instances exist, so a migration invoked with it finds a server."
  value = {
    DB_SECRET_ARN = local.connection.secret_arn
    DB_HOST       = local.connection.host
    DB_PORT       = tostring(local.connection.port)
    DB_NAME       = local.connection.name
  }
  depends_on = [aws_rds_cluster_instance.this, aws_db_instance.this]
}

output "endpoint" {
  description = "Host name of the writer (Aurora cluster endpoint, instance address, or the existing host)."
  value       = local.connection.host
}

output "reader_endpoint" {
  description = "Host name for read-only work: the Aurora reader endpoint, else the writer."
  value       = local.connection.reader_host
}

output "port" {
  description = "PostgreSQL port."
  value       = local.connection.port
}

output "database_name" {
  description = "Database the pipeline's tables live in."
  value       = local.connection.name
}

output "secret_arn" {
  description = "Secret with the credentials ({\"username\",\"password\"}): the RDS-managed master secret, rotated by RDS."
  value       = local.connection.secret_arn
}

output "arn" {
  description = "ARN of the created cluster or instance; null for an existing server."
  value       = local.connection.arn
}

output "data_api_enabled" {
  description = "Whether the RDS Data API is enabled (Aurora with data_api_enabled): `aws rds-data execute-statement --resource-arn <arn> --secret-arn <secret_arn> --database <database_name>`."
  value       = local.aurora && var.server.data_api_enabled
}

output "identifier" {
  description = "Cluster or instance identifier, <name>-<environment>; null for an existing server."
  value       = local.created ? local.identifier : null
}

output "final_snapshot_identifier" {
  description = "Snapshot a destroy leaves behind, or null when it takes none (no deletion protection, or final_snapshot = false)."
  value       = local.final_snapshot_identifier
}
