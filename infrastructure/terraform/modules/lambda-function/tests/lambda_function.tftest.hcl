# Offline module tests: `terraform test` with a mocked AWS provider
# (run by scripts/terraform/offline-check.sh). package_path points at any existing
# file: filebase64sha256 needs one, the mock never uploads it.

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  name         = "sync-batch"
  package_path = "tests/fixtures/function.zip"
  settings = {
    environment              = "dev"
    pipeline                 = "batch-scheduler"
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/pipelines-workload-boundary-dev"
  }
}

run "defaults" {
  command = plan

  assert {
    condition     = aws_iam_role.this.path == "/pipelines/" && aws_iam_role.this.permissions_boundary == var.settings.permissions_boundary_arn
    error_message = "Workload roles live under /pipelines/ with the environment's boundary (bootstrap contract)."
  }

  assert {
    condition     = aws_lambda_function.this.function_name == "sync-batch-dev"
    error_message = "function must be named <name>-<environment>"
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/sync-batch-dev"
    error_message = "log group must be /aws/lambda/<name>-<environment>"
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 7
    error_message = "default log retention is 7 days"
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_format == "JSON" && aws_lambda_function.this.logging_config[0].application_log_level == "INFO"
    error_message = "logging_config must be JSON at the configured level"
  }

  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["arm64"]) && aws_lambda_function.this.handler == "index.handler"
    error_message = "arm64 with handler index.handler"
  }

  assert {
    condition     = aws_lambda_function.this.memory_size == 512 && aws_lambda_function.this.timeout == 60 && aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "defaults: 512 MB, 60 s, unreserved"
  }

  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "Active"
    error_message = "X-Ray active tracing by default"
  }

  assert {
    condition     = local.duration_alarm_threshold_ms == 48000
    error_message = "duration alarm defaults to 80 % of the timeout"
  }

  assert {
    condition     = length(aws_lambda_function.this.vpc_config) == 0
    error_message = "no vpc_config unless given"
  }

  assert {
    condition     = aws_iam_role.this.name == "sync-batch-dev" && module.dlq.name == "sync-batch-dev-dlq"
    error_message = "role and DLQ naming"
  }

  assert {
    condition     = module.alarms.names == { duration = "sync-batch-dev-duration", errors = "sync-batch-dev-errors", throttles = "sync-batch-dev-throttles" }
    error_message = "errors, throttles and duration alarms named <function>-<metric>"
  }

  assert {
    condition     = length(aws_lambda_permission.allowed) == 0 && length(aws_lambda_event_source_mapping.this) == 0
    error_message = "no triggers unless given"
  }

  assert {
    condition     = aws_lambda_function.this.tags["Pipeline"] == "batch-scheduler"
    error_message = "Pipeline tag"
  }

  assert {
    condition     = length(aws_cloudwatch_event_rule.failures) == 0 && length(aws_lambda_function_event_invoke_config.this.destination_config[0].on_success) == 0
    error_message = "Without destination_bus_arn: failures straight to the DLQ, no success records, no rule."
  }
}

run "prd_variables_handler_and_triggers" {
  command = plan

  variables {
    settings              = merge(var.settings, { environment = "prd", log_level = "WARN" })
    environment_variables = { DATABASE_NAME = "shirogane", POWERTOOLS_METRICS_NAMESPACE = "batch-scheduler" }
    handler               = "migrate.handler"
    allowed_triggers = {
      schedule = {
        principal    = "events.amazonaws.com"
        source_arn   = "arn:aws:events:ap-northeast-1:123456789012:rule/sync-batch-dev-schedule"
        statement_id = "AllowEventBridge-schedule"
      }
      uploads = {
        principal  = "s3.amazonaws.com"
        source_arn = "arn:aws:s3:::uploads-dev"
      }
    }
    event_source_mappings = {
      requests = {
        event_source_arn = "arn:aws:sqs:ap-northeast-1:123456789012:requests-dev"
        batch_size       = 10
        filter_patterns  = ["{\"body\":{\"kind\":[\"sync\"]}}"]
      }
    }
  }

  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      POWERTOOLS_SERVICE_NAME      = "sync-batch"
      POWERTOOLS_LOG_LEVEL         = "WARN"
      ENVIRONMENT                  = "prd"
      NODE_OPTIONS                 = "--enable-source-maps"
      DATABASE_NAME                = "shirogane"
      POWERTOOLS_METRICS_NAMESPACE = "batch-scheduler"
    })
    error_message = "module variables and the caller's must be merged"
  }

  assert {
    condition     = aws_lambda_function.this.function_name == "sync-batch-prd" && aws_lambda_function.this.handler == "migrate.handler"
    error_message = "prd naming and the configured handler: got ${aws_lambda_function.this.function_name} with ${aws_lambda_function.this.handler}"
  }

  assert {
    condition     = aws_lambda_permission.allowed["schedule"].statement_id == "AllowEventBridge-schedule" && aws_lambda_permission.allowed["uploads"].statement_id == "Allow-uploads"
    error_message = "statement ids: the given one, else Allow-<key>"
  }

  assert {
    condition     = aws_lambda_permission.allowed["uploads"].principal == "s3.amazonaws.com" && aws_lambda_permission.allowed["uploads"].source_arn == "arn:aws:s3:::uploads-dev"
    error_message = "each trigger is scoped to its principal and source"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this["requests"].batch_size == 10 && aws_lambda_event_source_mapping.this["requests"].function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "event source mappings report partial batch failures by default"
  }

  assert {
    condition     = length(aws_lambda_event_source_mapping.this["requests"].filter_criteria[0].filter) == 1
    error_message = "filter patterns become filter criteria"
  }
}

run "vpc_alarms_and_kms" {
  command = apply

  variables {
    timeout                     = 900
    duration_alarm_threshold_ms = 600000
    settings = merge(var.settings, {
      tracing_enabled = false
      alarm_topic_arn = "arn:aws:sns:ap-northeast-1:123456789012:platform-alarms-dev"
      kms_key_arn     = "arn:aws:kms:ap-northeast-1:123456789012:key/00000000-0000-0000-0000-000000000000"
      vpc_config = {
        subnet_ids         = ["subnet-aaaa", "subnet-bbbb"]
        security_group_ids = ["sg-aaaa"]
      }
    })
  }

  assert {
    condition     = local.duration_alarm_threshold_ms == 600000
    error_message = "explicit duration threshold"
  }

  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "PassThrough"
    error_message = "tracing off"
  }

  assert {
    condition     = aws_lambda_function.this.vpc_config[0].subnet_ids == toset(["subnet-aaaa", "subnet-bbbb"])
    error_message = "vpc_config must be passed through"
  }

  assert {
    condition     = length(output.alarm_arns) == 4
    error_message = "errors, throttles, duration and DLQ alarms"
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.kms_key_id == var.settings.kms_key_arn
    error_message = "the KMS key must encrypt the DLQ and the log group"
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.this.destination_config[0].on_failure[0].destination == output.dlq_arn
    error_message = "failed async invocations must go to the DLQ"
  }
}

run "destinations_to_a_bus_keep_failures_in_the_queue" {
  command = apply

  variables {
    destination_bus_arn = "arn:aws:events:ap-northeast-1:123456789012:event-bus/default"
  }

  assert {
    condition = (
      aws_lambda_function_event_invoke_config.this.destination_config[0].on_success[0].destination == var.destination_bus_arn &&
      aws_lambda_function_event_invoke_config.this.destination_config[0].on_failure[0].destination == var.destination_bus_arn
    )
    error_message = "Both outcomes go to the bus."
  }

  assert {
    condition = aws_cloudwatch_event_rule.failures[0].event_bus_name == "default" && aws_cloudwatch_event_rule.failures[0].name == "sync-batch-dev-failures" && aws_cloudwatch_event_rule.failures[0].event_pattern == jsonencode({
      source        = ["lambda"]
      "detail-type" = ["Lambda Function Invocation Result - Failure"]
      detail        = { requestContext = { functionArn = [{ prefix = "${aws_lambda_function.this.arn}:" }] } }
    })
    error_message = "A rule on that bus matches this function's failure records only."
  }

  assert {
    condition     = aws_cloudwatch_event_target.failures[0].arn == module.dlq.arn && aws_cloudwatch_event_target.failures[0].event_bus_name == "default"
    error_message = "The rule forwards the failures to the function's DLQ."
  }
}

# settings is one variable: each run breaks one of its rules, with other inputs' rules.
run "rejects_bad_inputs" {
  command = plan

  variables {
    name         = "Sync_Batch"
    settings     = merge(var.settings, { environment = "staging" })
    package_path = "dist/sync-batch.tar.gz"
    handler      = "index"
  }

  expect_failures = [var.name, var.settings, var.package_path, var.handler]
}

run "rejects_a_bad_log_level_and_bus" {
  command = plan

  variables {
    # 46 characters: sync-batch-with-a-function-name-of-46-characte-dev-failures would not fit 64.
    name     = "sync-batch-with-a-function-name-of-46-characte"
    settings = merge(var.settings, { log_level = "VERBOSE" })
    # a bus name, not its ARN
    destination_bus_arn = "default"
  }

  expect_failures = [var.name, var.settings, var.destination_bus_arn]
}
