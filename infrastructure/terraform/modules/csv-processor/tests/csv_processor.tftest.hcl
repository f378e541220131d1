# csv-processor wiring against a mocked provider: names the runbooks use, the building
# blocks it is made of, and what deletion protection decides (issue 10).
# The functions' own wiring is tested in their modules; here their outputs are given,
# so no dist/*.zip is needed.

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

override_module {
  target = module.validator
  outputs = {
    function_name  = "csv-validator-dev"
    function_arn   = "arn:aws:lambda:ap-northeast-1:123456789012:function:csv-validator-dev"
    log_group_name = "/aws/lambda/csv-validator-dev"
  }
}

override_module {
  target = module.processor
  outputs = {
    function_name  = "csv-processor-dev"
    function_arn   = "arn:aws:lambda:ap-northeast-1:123456789012:function:csv-processor-dev"
    log_group_name = "/aws/lambda/csv-processor-dev"
  }
}

override_module {
  target = module.migration
  outputs = {
    function_name  = "csv-migrate-dev"
    function_arn   = "arn:aws:lambda:ap-northeast-1:123456789012:function:csv-migrate-dev"
    log_group_name = "/aws/lambda/csv-migrate-dev"
    result         = { database = "csv_processor", applied = [], current = "001_initial.sql" }
  }
}

variables {
  environment = "dev"
}

# The test network and platform, shared with the other pipelines' tests (file-level variables
# may not read a run, so each run takes it).
run "platform" {
  module {
    source = "../../tests/fixtures/platform"
  }

  variables {
    alarm_topic_arn = "arn:aws:sns:ap-northeast-1:123456789012:platform-alarms-dev"
  }
}

# dev: names, building blocks, and what no deletion protection lets destroy do.
run "dev_names_building_blocks_and_clean_destroy" {
  command = apply

  variables {
    platform = run.platform.platform
  }

  assert {
    condition     = module.triggers.role.name == "csv-processor-dev-events" && module.triggers.role.path == "/pipelines/" && module.triggers.role.permissions_boundary == var.platform.permissions_boundary_arn
    error_message = "Workload roles live under /pipelines/ with the environment's boundary (bootstrap contract)."
  }

  assert {
    condition     = output.state_machine.name == "csv-user-log-processor-dev" && output.events.rule_name == "csv-processor-dev"
    error_message = "Runbook names: csv-user-log-processor-<env> and the rule csv-processor-<env>."
  }

  assert {
    condition     = module.processing_logs.table.name == "ProcessingLogs-dev" && module.file_claims.table.name == "csv-processor-dev-files"
    error_message = "Table names."
  }

  assert {
    condition     = module.database.identifier == "csv-processor-dev" && output.database.endpoint == "cluster.postgres.example" && output.database.database_name == "csv_processor"
    error_message = "The Aurora cluster comes from the postgres module under its old identifier."
  }

  assert {
    condition     = keys(module.workflow.alarm_arns) == ["aborted", "failed", "timed-out"]
    error_message = "The state machine alarms on failed, timed-out and aborted executions."
  }

  assert {
    condition     = module.triggers.targets["object_created"].dead_letter_config[0].arn == output.events.dlq.arn && module.triggers.targets["object_created"].arn == output.state_machine.arn
    error_message = "The upload rule starts the state machine and dead-letters to the events DLQ."
  }

  assert {
    condition     = jsondecode(module.triggers.rules["object_created"].event_pattern).detail.object.key == [{ wildcard = "incoming/*.csv" }, { wildcard = "incoming/*.CSV" }]
    error_message = "Only CSV files under incoming/ start an execution."
  }

  assert {
    condition     = output.migration.result.database == "csv_processor" && output.migration.function_name == "csv-migrate-dev"
    error_message = "csv-migrate runs through the db-migration module."
  }

  assert {
    condition     = module.input_bucket.force_destroy == true && module.output_bucket.force_destroy == true
    error_message = "Without deletion protection destroy may empty the buckets."
  }

  assert {
    condition     = module.database.final_snapshot_identifier == null && module.processing_logs.table.deletion_protection_enabled == false
    error_message = "dev: no final snapshot (a second destroy must not fail), tables unprotected."
  }
}

run "prd_is_protected" {
  command = apply

  variables {
    environment = "prd"
    platform    = run.platform.platform
  }

  assert {
    condition     = module.input_bucket.force_destroy == false && module.output_bucket.force_destroy == false
    error_message = "prd buckets are never emptied by destroy."
  }

  assert {
    condition     = module.processing_logs.table.deletion_protection_enabled == true && module.file_claims.table.deletion_protection_enabled == true
    error_message = "prd tables are protected."
  }

  assert {
    condition     = can(regex("^csv-processor-prd-final-[0-9a-f]{8}$", module.database.final_snapshot_identifier))
    error_message = "prd keeps a uniquely named final snapshot."
  }
}

# Each variable fails its own validation.
run "refuses_a_single_subnet_and_out_of_range_settings" {
  command = plan

  variables {
    platform       = merge(run.platform.platform, { network = merge(run.platform.platform.network, { private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaaa"] }) })
    processing     = { max_rows = 0 }
    retention_days = { input = 0 }
  }

  expect_failures = [var.platform, var.processing, var.retention_days]
}
