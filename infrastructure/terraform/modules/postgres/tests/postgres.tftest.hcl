# Every shape of the postgres module against a mocked provider: naming, TLS enforced
# by the server, final snapshots (issue 10) and what pipelines consume.

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  name               = "batch-scheduler"
  mode               = "instance"
  server             = { name = "shirogane", engine_version = "17" }
  master_username    = "shirogane_admin"
  subnet_ids         = ["subnet-a", "subnet-b"]
  security_group_ids = ["sg-db"]
  settings           = { environment = "dev", pipeline = "batch-scheduler", deletion_protection = false }
}

run "dev_instance_takes_no_final_snapshot" {
  command = apply

  assert {
    condition     = aws_db_instance.this[0].identifier == "batch-scheduler-dev" && aws_db_parameter_group.this[0].name == "batch-scheduler-dev-postgres17"
    error_message = "The instance is <name>-<env>; its parameter group <name>-<env>-postgres<major>."
  }

  assert {
    condition     = aws_db_instance.this[0].skip_final_snapshot == true && aws_db_instance.this[0].final_snapshot_identifier == null && length(terraform_data.final_snapshot_suffix) == 0
    error_message = "Without deletion protection a destroy takes no snapshot (a second destroy must not fail on DBSnapshotAlreadyExists)."
  }

  assert {
    condition     = one([for p in aws_db_parameter_group.this[0].parameter : p.value if p.name == "rds.force_ssl"]) == "1"
    error_message = "The instance enforces TLS."
  }

  assert {
    condition = output.lambda_environment == {
      DB_SECRET_ARN = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!db-1"
      DB_HOST       = "instance.postgres.example"
      DB_PORT       = "5432"
      DB_NAME       = "shirogane"
    }
    error_message = "Functions connect through DB_SECRET_ARN, DB_HOST, DB_PORT, DB_NAME."
  }

  assert {
    condition     = length(aws_rds_cluster.this) == 0 && length(aws_rds_cluster_instance.this) == 0 && output.data_api_enabled == false
    error_message = "An instance creates no Aurora resources (and has no Data API)."
  }
}

run "protected_instance_keeps_a_uniquely_named_final_snapshot" {
  command = apply

  variables {
    settings = { environment = "prd", pipeline = "batch-scheduler", deletion_protection = true, kms_key_arn = "arn:aws:kms:ap-northeast-1:123456789012:key/batch" }
  }

  assert {
    condition     = aws_db_instance.this[0].skip_final_snapshot == false && can(regex("^batch-scheduler-prd-final-[0-9a-f]{8}$", aws_db_instance.this[0].final_snapshot_identifier))
    error_message = "A protected database keeps a final snapshot whose name is unique: ${aws_db_instance.this[0].final_snapshot_identifier}"
  }

  assert {
    condition     = aws_db_instance.this[0].deletion_protection == true && aws_db_instance.this[0].master_user_secret_kms_key_id == var.settings.kms_key_arn
    error_message = "Deletion protection and the pipeline key on the master secret."
  }
}

run "aurora_serverless_cluster" {
  command = apply

  variables {
    name            = "csv-processor"
    mode            = "aurora-serverless"
    master_username = "csv_admin"
    server = {
      name             = "csv_processor"
      engine_version   = "16.6"
      aurora_instances = ["writer", "reader"]
      min_capacity     = 0
    }
  }

  assert {
    condition     = aws_rds_cluster.this[0].cluster_identifier == "csv-processor-dev" && keys(aws_rds_cluster_instance.this) == ["reader", "writer"]
    error_message = "The cluster is <name>-<env> with a writer and a reader."
  }

  assert {
    condition     = aws_rds_cluster_instance.this["writer"].promotion_tier == 0 && aws_rds_cluster_instance.this["reader"].promotion_tier == 1
    error_message = "The writer keeps failover priority."
  }

  assert {
    condition     = aws_rds_cluster.this[0].db_cluster_parameter_group_name == "csv-processor-dev-aurora-postgresql16" && one([for p in aws_rds_cluster_parameter_group.this[0].parameter : p.value if p.name == "rds.force_ssl"]) == "1"
    error_message = "The Aurora cluster enforces TLS through its cluster parameter group."
  }

  assert {
    condition     = aws_rds_cluster.this[0].serverlessv2_scaling_configuration[0].min_capacity == 0 && aws_rds_cluster.this[0].serverlessv2_scaling_configuration[0].seconds_until_auto_pause == 3600
    error_message = "Min 0 ACU with auto-pause."
  }

  assert {
    condition     = aws_rds_cluster.this[0].enable_http_endpoint == true && output.data_api_enabled == true && output.arn == aws_rds_cluster.this[0].arn && output.secret_arn == aws_rds_cluster.this[0].master_user_secret[0].secret_arn
    error_message = "The Data API is on by default; its --resource-arn and --secret-arn are the outputs arn and secret_arn."
  }

  assert {
    condition     = output.endpoint == "cluster.postgres.example" && output.reader_endpoint == "cluster-ro.postgres.example"
    error_message = "Writer and reader endpoints."
  }

  assert {
    condition     = aws_rds_cluster.this[0].skip_final_snapshot == true && length(aws_db_instance.this) == 0
    error_message = "dev: no final snapshot; no RDS instance."
  }
}

run "existing_server_creates_nothing" {
  command = apply

  variables {
    mode = "existing"
    existing = {
      host       = "shirogane.internal.example"
      name       = "shirogane"
      secret_arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:shirogane"
    }
  }

  assert {
    condition     = length(aws_db_instance.this) == 0 && length(aws_rds_cluster.this) == 0 && length(aws_db_subnet_group.this) == 0
    error_message = "An existing server is used, not created."
  }

  assert {
    condition     = output.lambda_environment["DB_HOST"] == "shirogane.internal.example" && output.lambda_environment["DB_PORT"] == "5432" && output.identifier == null
    error_message = "Functions consume an existing server the same way."
  }
}

run "refuses_turning_tls_off_a_missing_server_and_a_trailing_hyphen" {
  command = plan

  variables {
    name   = "batch-scheduler-"
    mode   = "existing"
    server = { parameters = { "rds.force_ssl" = "0" } }
  }

  expect_failures = [var.name, var.existing, var.server]
}
