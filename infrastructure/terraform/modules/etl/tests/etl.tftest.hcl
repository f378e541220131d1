# The etl module offline: the schedule in JST, the rules (manual trigger of one environment, only
# manifest keys start the load), least-privilege policies, function sizes from DESIGN.md, and the
# no-manifest alarm. Run offline: terraform init && terraform test (from the module folder).

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  environment = "dev"
  # etl-extract-transform and etl-load record their runs, as every environment wires them.
  runs_ledger = {
    table_name          = "pipeline-runs-dev"
    table_arn           = "arn:aws:dynamodb:ap-northeast-1:123456789012:table/pipeline-runs-dev"
    kms_key_arn         = "arn:aws:kms:ap-northeast-1:123456789012:key/22222222-2222-2222-2222-222222222222"
    destination_bus_arn = "arn:aws:events:ap-northeast-1:123456789012:event-bus/default"
  }
}

# The test network and platform, shared with the other pipelines' tests (file-level variables
# may not read a run, so each run takes it).
run "platform" {
  module {
    source = "../../tests/fixtures/platform"
  }
}

# The functions need dist/*.zip at plan time; their wiring is not what these tests are about.
override_module {
  target = module.extract
  outputs = {
    function_name  = "etl-extract-transform-dev"
    function_arn   = "arn:aws:lambda:ap-northeast-1:123456789012:function:etl-extract-transform-dev"
    log_group_name = "/aws/lambda/etl-extract-transform-dev"
  }
}

override_module {
  target = module.load
  outputs = {
    function_name  = "etl-load-dev"
    function_arn   = "arn:aws:lambda:ap-northeast-1:123456789012:function:etl-load-dev"
    log_group_name = "/aws/lambda/etl-load-dev"
  }
}

override_module {
  target = module.initializer
  outputs = {
    function_name  = "etl-db-initializer-dev"
    function_arn   = "arn:aws:lambda:ap-northeast-1:123456789012:function:etl-db-initializer-dev"
    log_group_name = "/aws/lambda/etl-db-initializer-dev"
  }
}

run "defaults_schedule_rules_policies_alarm_and_ledger" {
  command = apply

  variables {
    platform = run.platform.platform
  }

  assert {
    condition     = module.triggers.schedule.name == "etl-extract-dev"
    error_message = "The schedule is etl-extract-<env>."
  }

  assert {
    condition     = output.triggers.schedule_name == "etl-extract-dev"
    error_message = "The schedule output names etl-extract-<env>."
  }

  assert {
    condition = jsondecode(module.triggers.rules["manual"].event_pattern) == {
      source        = ["etl"]
      "detail-type" = ["manual-trigger"]
      detail        = { environment = ["dev"] }
    }
    error_message = "The manual rule must match Source=etl, DetailType=manual-trigger and this environment only."
  }

  assert {
    condition     = jsondecode(module.triggers.rules["manifest_created"].event_pattern).detail.object.key == [{ wildcard = "etl-data/*/manifest.json" }]
    error_message = "Only etl-data/*/manifest.json keys may start etl-load."
  }

  assert {
    condition     = jsondecode(module.triggers.rules["manifest_created"].event_pattern)["detail-type"] == ["Object Created"]
    error_message = "The load starts on Object Created."
  }

  assert {
    condition     = module.triggers.targets["manifest_created"].dead_letter_config[0].arn != null
    error_message = "Undeliverable manifest events go to a dead-letter queue."
  }

  assert {
    condition = alltrue([
      for st in data.aws_iam_policy_document.load.statement :
      !contains(st.actions, "s3:PutObject") && (contains(st.actions, "s3:GetObject") ? alltrue([for r in st.resources : endswith(r, "/etl-data/*")]) : true)
    ])
    error_message = "etl-load only reads, and only etl-data/*."
  }

  assert {
    condition = alltrue([
      for st in data.aws_iam_policy_document.extract.statement :
      contains(st.actions, "s3:PutObject") ? alltrue([for r in st.resources : endswith(r, "/etl-data/*")]) : true
    ])
    error_message = "etl-extract-transform writes under etl-data/ only."
  }

  assert {
    condition = (
      flatten([for st in data.aws_iam_policy_document.extract.statement : st.resources if contains(st.actions, "secretsmanager:GetSecretValue")]) == [module.source_database.secret_arn] &&
      flatten([for st in data.aws_iam_policy_document.load.statement : st.resources if contains(st.actions, "secretsmanager:GetSecretValue")]) == [module.target_database.secret_arn]
    )
    error_message = "Each function reads only its own database's secret."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.no_manifest.namespace == "etl" && aws_cloudwatch_metric_alarm.no_manifest.metric_name == "RecordsExtracted"
    error_message = "The alarm watches the etl RecordsExtracted metric."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.no_manifest.period * aws_cloudwatch_metric_alarm.no_manifest.evaluation_periods == 86400 && aws_cloudwatch_metric_alarm.no_manifest.treat_missing_data == "breaching"
    error_message = "A whole day without a datapoint must alarm."
  }

  assert {
    condition     = jsonencode(local.runs_ledger_environment) == jsonencode({ RUNS_TABLE = "pipeline-runs-dev" }) && local.runs_ledger_bus_arn == var.runs_ledger.destination_bus_arn && length(local.runs_ledger_policy_documents) == 1
    error_message = "etl-extract-transform and etl-load get RUNS_TABLE, the grant, and destinations on the bus."
  }
}

run "existing_source_creates_no_instance" {
  command = plan

  variables {
    platform = run.platform.platform
    databases = {
      source = {
        existing = {
          host       = "orders.example.internal"
          name       = "shop"
          secret_arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:orders-AbCdEf"
        }
      }
    }
  }

  assert {
    condition     = output.databases.source.endpoint == "orders.example.internal"
    error_message = "An existing source is used as given."
  }

  assert {
    condition     = output.databases.source.secret_arn == "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:orders-AbCdEf"
    error_message = "An existing source's secret is the one given."
  }
}

run "settings_are_validated" {
  command = plan

  variables {
    platform = run.platform.platform
    settings = { schedule_time_jst = "25:00", load_reserved_concurrency = 0 }
  }

  expect_failures = [var.settings]
}

