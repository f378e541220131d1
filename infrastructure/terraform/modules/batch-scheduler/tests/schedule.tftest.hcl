# JST → UTC conversion of the schedule, the runbook names, the manual trigger of one
# environment, and what deletion protection decides (issue 10).
# Run offline: terraform init && terraform test (from the module folder).

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

# The function module needs dist/sync-batch.zip at plan time; its wiring is not what
# these tests are about, so its outputs are given.
override_module {
  target = module.sync_batch
  outputs = {
    function_name  = "sync-batch-dev"
    function_arn   = "arn:aws:lambda:ap-northeast-1:123456789012:function:sync-batch-dev"
    invoke_arn     = "arn:aws:apigateway:ap-northeast-1:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-northeast-1:123456789012:function:sync-batch-dev/invocations"
    role_name      = "sync-batch-dev"
    role_arn       = "arn:aws:iam::123456789012:role/sync-batch-dev"
    log_group_name = "/aws/lambda/sync-batch-dev"
    dlq_arn        = "arn:aws:sqs:ap-northeast-1:123456789012:sync-batch-dev-dlq"
  }
}

override_module {
  target = module.migration
  outputs = {
    function_name  = "sync-batch-migrate-dev"
    function_arn   = "arn:aws:lambda:ap-northeast-1:123456789012:function:sync-batch-migrate-dev"
    log_group_name = "/aws/lambda/sync-batch-migrate-dev"
    result         = { database = "shirogane", applied = ["001_initial.sql"], current = "001_initial.sql" }
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
}

# Default inputs (00:00 JST, no ledger) applied in dev: the schedule, what no deletion
# protection decides, the building blocks it is made of.
run "dev_defaults" {
  command = apply

  variables {
    platform = run.platform.platform
  }

  assert {
    condition     = module.triggers.rules["schedule"].schedule_expression == "cron(0 15 * * ? *)"
    error_message = "00:00 JST must run at 15:00 UTC the previous day: got ${module.triggers.rules["schedule"].schedule_expression}"
  }

  assert {
    condition     = module.triggers.rules["schedule"].name == "sync-batch-dev-schedule" && output.triggers.schedule_rule_name == "sync-batch-dev-schedule"
    error_message = "The runbook disables the rule by the name sync-batch-<env>-schedule."
  }

  assert {
    condition     = module.triggers.rules["schedule"].state == "ENABLED"
    error_message = "The schedule is enabled by default."
  }

  assert {
    condition     = length(local.runs_ledger_environment) == 0 && local.runs_ledger_bus_arn == null && length(local.runs_ledger_policy_documents) == 0
    error_message = "Without runs_ledger: no RUNS_TABLE, no destinations, no grant."
  }

  assert {
    condition     = aws_secretsmanager_secret.youtube_api_key.recovery_window_in_days == 0
    error_message = "Without deletion protection the API-key secret is deleted at once, so a re-apply can create it again."
  }

  assert {
    condition     = module.database.final_snapshot_identifier == null && module.archive_bucket[0].force_destroy == true
    error_message = "Without deletion protection: no final snapshot (a second destroy must not fail), and destroy empties the archive."
  }

  assert {
    condition     = output.database.endpoint == "instance.postgres.example" && output.database.database_name == "shirogane" && module.database.identifier == "batch-scheduler-dev"
    error_message = "The RDS instance comes from the postgres module under its old identifier."
  }

  assert {
    condition     = output.migration.function_name == "sync-batch-migrate-dev" && output.migration.result.database == "shirogane"
    error_message = "sync-batch-migrate runs through the db-migration module."
  }

  assert {
    condition     = aws_secretsmanager_secret.youtube_api_key.kms_key_id == output.kms_key_arn
    error_message = "The pipeline key encrypts the API-key secret."
  }
}

run "three_runs_a_day_sorted_numerically" {
  command = plan

  variables {
    platform           = run.platform.platform
    schedule_times_jst = ["00:00", "12:00", "18:00"]
  }

  assert {
    condition     = output.triggers.schedule_expression == "cron(0 3,9,15 * * ? *)"
    error_message = "00:00, 12:00, 18:00 JST must be 15, 03, 09 UTC listed in numeric order: got ${output.triggers.schedule_expression}"
  }
}

run "non_zero_minutes_and_duplicates" {
  command = plan

  variables {
    platform           = run.platform.platform
    schedule_times_jst = ["09:30", "08:30", "23:30", "09:30"]
  }

  assert {
    condition     = output.triggers.schedule_expression == "cron(30 0,14,23 * * ? *)"
    error_message = "09:30/08:30/23:30 JST must be 00:30, 23:30 (previous day) and 14:30 UTC once each: got ${output.triggers.schedule_expression}"
  }
}

# Each variable fails its own validation: times with different minutes, a created database
# without its security group, a timeout under a minute, an archive kept no day.
run "out_of_range_inputs_are_refused" {
  command = plan

  variables {
    schedule_times_jst = ["00:00", "12:30"]
    platform           = merge(run.platform.platform, { network = merge(run.platform.platform.network, { database_security_group_id = null }) })
    function           = { timeout = 30 }
    archive            = { retention_days = 0 }
  }

  expect_failures = [var.schedule_times_jst, var.platform, var.function, var.archive]
}

run "malformed_time_is_refused" {
  command = plan

  variables {
    platform           = run.platform.platform
    schedule_times_jst = ["24:00"]
  }

  expect_failures = [var.schedule_times_jst]
}

# prd with the schedule off: the manual trigger of that environment only, and what
# deletion protection keeps.
run "prd_manual_trigger_disabled_schedule_and_protection" {
  command = apply

  variables {
    environment      = "prd"
    platform         = run.platform.platform
    schedule_enabled = false
  }

  assert {
    condition     = module.triggers.rules["schedule"].state == "DISABLED" && module.triggers.rules["schedule"].name == "sync-batch-prd-schedule"
    error_message = "schedule_enabled = false must disable sync-batch-prd-schedule."
  }

  assert {
    condition     = jsondecode(module.triggers.rules["manual"].event_pattern) == { source = ["batch-scheduler"], "detail-type" = ["manual-trigger"], detail = { environment = ["prd"] } }
    error_message = "The manual rule must match Source=batch-scheduler, DetailType=manual-trigger with Detail {\"environment\":\"prd\"} only."
  }

  assert {
    condition     = strcontains(module.triggers.rules["manual"].description, "\"Detail\":\"{\\\"environment\\\":\\\"prd\\\"}\"") && strcontains(module.triggers.rules["manual"].description, "FailedEntryCount 1")
    error_message = "The rule description gives the working command, with Detail: ${module.triggers.rules["manual"].description}"
  }

  assert {
    condition     = module.triggers.targets["schedule"].retry_policy[0].maximum_retry_attempts == 3 && length(module.triggers.targets["manual"].dead_letter_config) == 1
    error_message = "Both targets need a retry policy and a dead-letter queue."
  }

  assert {
    condition     = aws_secretsmanager_secret.youtube_api_key.recovery_window_in_days == 7 && module.archive_bucket[0].force_destroy == false && can(regex("^batch-scheduler-prd-final-[0-9a-f]{8}$", module.database.final_snapshot_identifier))
    error_message = "prd: a deleted secret can be recovered for 7 days, destroy never empties the archive, and a uniquely named final snapshot is kept (got ${jsonencode(module.database.final_snapshot_identifier)})."
  }
}

run "existing_database" {
  command = plan

  variables {
    # One subnet is enough for the function; a created database would need two.
    platform        = merge(run.platform.platform, { network = { private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaaa"], lambda_security_group_id = "sg-0aaaaaaaaaaaaaaaa" } })
    create_database = false
    existing_database = {
      host       = "shirogane.internal.example"
      secret_arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:shirogane"
    }
  }

  assert {
    condition     = output.database.endpoint == "shirogane.internal.example" && output.database.database_name == "shirogane" && module.database.identifier == null
    error_message = "An existing server is used as given."
  }
}

run "runs_ledger_feeds_sync_batch" {
  command = plan

  variables {
    platform = run.platform.platform
    runs_ledger = {
      table_name          = "pipeline-runs-dev"
      table_arn           = "arn:aws:dynamodb:ap-northeast-1:123456789012:table/pipeline-runs-dev"
      kms_key_arn         = "arn:aws:kms:ap-northeast-1:123456789012:key/22222222-2222-2222-2222-222222222222"
      destination_bus_arn = "arn:aws:events:ap-northeast-1:123456789012:event-bus/default"
    }
  }

  assert {
    condition     = jsonencode(local.runs_ledger_environment) == jsonencode({ RUNS_TABLE = "pipeline-runs-dev" }) && local.runs_ledger_bus_arn == "arn:aws:events:ap-northeast-1:123456789012:event-bus/default"
    error_message = "sync-batch gets RUNS_TABLE and sends its invocation records to the bus."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.runs_ledger[0].statement[0].actions == toset(["dynamodb:GetItem", "dynamodb:UpdateItem"]) &&
      data.aws_iam_policy_document.runs_ledger[0].statement[0].resources == toset([var.runs_ledger.table_arn]) &&
      data.aws_iam_policy_document.runs_ledger[0].statement[1].resources == toset([var.runs_ledger.kms_key_arn])
    )
    error_message = "sync-batch may write its runs in the ledger and use its key, nothing else of it."
  }
}
