# One PostgreSQL for a pipeline, whichever shape it takes: an Aurora Serverless v2
# cluster (min 0 ACU may auto-pause), an RDS instance, or an existing server. Every
# pipeline consumes it the same way: the outputs, above all lambda_environment.

locals {
  # naming.tf composes <name>-<environment> from it; the environment is the pipeline's.
  environment = var.settings.environment
  identifier  = local.qualified_name
  aurora      = var.mode == "aurora-serverless"
  instance    = var.mode == "instance"
  created     = local.aurora || local.instance

  major  = split(".", var.server.engine_version)[0]
  family = local.aurora ? "aurora-postgresql${local.major}" : "postgres${local.major}"

  # dev (no deletion protection) is destroyed and re-created often: a final snapshot
  # there only piles up and, under a fixed name, fails the second destroy. Protected
  # databases keep one, under a name unique to the database it was taken from.
  final_snapshot = coalesce(var.final_snapshot, var.settings.deletion_protection)

  # TLS is enforced by the server for every client; slow statements reach the log.
  parameters = merge(
    {
      "rds.force_ssl"              = "1"
      "log_min_duration_statement" = tostring(var.server.log_min_duration_statement_ms)
    },
    var.server.parameters,
  )
}

resource "aws_db_subnet_group" "this" {
  count = local.created ? 1 : 0

  name        = local.identifier
  description = "Private subnets of the ${local.identifier} ${local.aurora ? "Aurora cluster" : "database"}."
  subnet_ids  = var.subnet_ids
  tags        = var.settings.tags
}

# A stable id drawn once per created database and kept in state: the final snapshot
# name is unique without a timestamp and without another provider.
resource "terraform_data" "final_snapshot_suffix" {
  count = local.created && local.final_snapshot ? 1 : 0

  input = substr(replace(uuid(), "-", ""), 0, 8)

  lifecycle {
    ignore_changes = [input]
  }
}

locals {
  final_snapshot_identifier = local.created && local.final_snapshot ? "${local.identifier}-final-${terraform_data.final_snapshot_suffix[0].output}" : null
}

# ---------------------------------------------------------------------------
# RDS instance
# ---------------------------------------------------------------------------

resource "aws_db_parameter_group" "this" {
  count = local.instance ? 1 : 0

  name        = "${local.identifier}-${local.family}"
  family      = local.family
  description = "PostgreSQL settings of ${local.identifier}."

  dynamic "parameter" {
    for_each = local.parameters
    content {
      name  = parameter.key
      value = parameter.value
    }
  }

  tags = var.settings.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "this" {
  count = local.instance ? 1 : 0

  identifier     = local.identifier
  engine         = "postgres"
  engine_version = var.server.engine_version
  instance_class = var.server.instance_class
  db_name        = var.server.name
  username       = var.master_username

  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.settings.kms_key_arn

  allocated_storage     = var.server.allocated_storage_gb
  max_allocated_storage = var.server.max_allocated_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.settings.kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.this[0].name
  vpc_security_group_ids = var.security_group_ids
  parameter_group_name   = aws_db_parameter_group.this[0].name
  publicly_accessible    = false
  multi_az               = var.server.multi_az
  ca_cert_identifier     = var.server.ca_cert_identifier

  backup_retention_period    = var.server.backup_retention_days
  copy_tags_to_snapshot      = true
  deletion_protection        = var.settings.deletion_protection
  skip_final_snapshot        = !local.final_snapshot
  final_snapshot_identifier  = local.final_snapshot_identifier
  auto_minor_version_upgrade = true

  performance_insights_enabled = true

  tags = var.settings.tags

  lifecycle {
    # The storage key of a database cannot change in place: a database created before
    # the pipeline key keeps its key instead of being replaced (docs/architecture.md).
    ignore_changes = [kms_key_id]
  }
}

# ---------------------------------------------------------------------------
# Aurora Serverless v2 cluster
# ---------------------------------------------------------------------------

resource "aws_rds_cluster_parameter_group" "this" {
  count = local.aurora ? 1 : 0

  name        = "${local.identifier}-${local.family}"
  family      = local.family
  description = "Aurora PostgreSQL settings of ${local.identifier}."

  dynamic "parameter" {
    for_each = local.parameters
    content {
      name  = parameter.key
      value = parameter.value
    }
  }

  tags = var.settings.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_rds_cluster" "this" {
  count = local.aurora ? 1 : 0

  cluster_identifier = local.identifier
  engine             = "aurora-postgresql"
  engine_mode        = "provisioned"
  engine_version     = var.server.engine_version
  database_name      = var.server.name
  master_username    = var.master_username

  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.settings.kms_key_arn

  db_subnet_group_name            = aws_db_subnet_group.this[0].name
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.this[0].name
  vpc_security_group_ids          = var.security_group_ids

  storage_encrypted = true
  kms_key_id        = var.settings.kms_key_arn

  serverlessv2_scaling_configuration {
    min_capacity = var.server.min_capacity
    max_capacity = var.server.max_capacity
    # Only a cluster that may scale to 0 ACUs pauses.
    seconds_until_auto_pause = var.server.min_capacity == 0 ? var.server.seconds_until_auto_pause : null
  }

  backup_retention_period         = var.server.backup_retention_days
  copy_tags_to_snapshot           = true
  deletion_protection             = var.settings.deletion_protection
  skip_final_snapshot             = !local.final_snapshot
  final_snapshot_identifier       = local.final_snapshot_identifier
  enabled_cloudwatch_logs_exports = ["postgresql"]

  # The RDS Data API: operators' way in (docs/operations.md, "Reaching the databases").
  # On a provisioned-mode cluster the provider calls rds:EnableHttpEndpoint after creating it.
  enable_http_endpoint = var.server.data_api_enabled

  tags = var.settings.tags

  lifecycle {
    ignore_changes = [kms_key_id] # as for the instance above
  }
}

resource "aws_rds_cluster_instance" "this" {
  for_each = local.aurora ? toset(var.server.aurora_instances) : toset([])

  identifier                   = "${local.identifier}-${each.key}"
  cluster_identifier           = aws_rds_cluster.this[0].id
  instance_class               = "db.serverless"
  engine                       = aws_rds_cluster.this[0].engine
  engine_version               = aws_rds_cluster.this[0].engine_version
  db_subnet_group_name         = aws_db_subnet_group.this[0].name
  performance_insights_enabled = true
  # The writer keeps failover priority; the others take reads.
  promotion_tier = each.key == var.server.aurora_instances[0] ? 0 : 1

  tags = var.settings.tags
}

locals {
  connection = local.aurora ? {
    host        = aws_rds_cluster.this[0].endpoint
    reader_host = aws_rds_cluster.this[0].reader_endpoint
    port        = aws_rds_cluster.this[0].port
    name        = var.server.name
    secret_arn  = aws_rds_cluster.this[0].master_user_secret[0].secret_arn
    arn         = aws_rds_cluster.this[0].arn
    } : local.instance ? {
    host        = aws_db_instance.this[0].address
    reader_host = aws_db_instance.this[0].address
    port        = aws_db_instance.this[0].port
    name        = var.server.name
    secret_arn  = aws_db_instance.this[0].master_user_secret[0].secret_arn
    arn         = aws_db_instance.this[0].arn
    } : {
    host        = var.existing.host
    reader_host = coalesce(var.existing.reader_host, var.existing.host)
    port        = var.existing.port
    name        = var.existing.name
    secret_arn  = var.existing.secret_arn
    arn         = null
  }
}
