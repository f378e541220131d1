# The runs module offline (mock provider): the ledger as functions/shared/runs-ledger.ts reads
# it, the four functions with their settings and least-privilege policies, the API (routes,
# IAM on every method, stage, access logs, X-Ray, throttling), the account's CloudWatch role
# behind its switch, the feeds of the recorder, the stream mapping, the report schedule and
# bucket, the alarms. Run: terraform init && terraform test (this folder).

mock_provider "aws" {
  source = "../../tests/mocks/aws"

  # Every function's ARN is validated where it is used (schedule target, event source mapping,
  # API integration): one valid-looking value serves the four.
  mock_resource "aws_lambda_function" {
    defaults = {
      arn        = "arn:aws:lambda:ap-northeast-1:123456789012:function:mocked"
      invoke_arn = "arn:aws:apigateway:ap-northeast-1:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-northeast-1:123456789012:function:mocked/invocations"
    }
  }
}

variables {
  environment = "dev"
  platform = {
    dist_dir = "tests/fixtures"
    alarm_topic = {
      arn         = "arn:aws:sns:ap-northeast-1:123456789012:platform-alarms-dev"
      kms_key_arn = "arn:aws:kms:ap-northeast-1:123456789012:key/11111111-1111-1111-1111-111111111111"
    }
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/pipelines-workload-boundary-dev"
    # As the environment passes it: the runs functions stay outside the VPC all the same.
    network = {
      private_subnet_ids       = ["subnet-0a", "subnet-0b"]
      lambda_security_group_id = "sg-0lambda"
    }
  }
  feeds = {
    state_machine_arns = [
      "arn:aws:states:ap-northeast-1:123456789012:stateMachine:csv-user-log-processor-dev",
      "arn:aws:states:ap-northeast-1:123456789012:stateMachine:salesforce-extract-dev",
    ]
    lambda_function_arns = [
      "arn:aws:lambda:ap-northeast-1:123456789012:function:sync-batch-dev",
      "arn:aws:lambda:ap-northeast-1:123456789012:function:etl-extract-transform-dev",
    ]
  }
}

# ARNs other resources validate: the mock's random strings would not pass.
override_resource {
  target = module.ledger.aws_dynamodb_table.this
  values = {
    arn        = "arn:aws:dynamodb:ap-northeast-1:123456789012:table/pipeline-runs-dev"
    stream_arn = "arn:aws:dynamodb:ap-northeast-1:123456789012:table/pipeline-runs-dev/stream/2026-12-01T00:00:00.000"
  }
}

override_resource {
  target = aws_api_gateway_rest_api.this
  values = {
    id            = "a1b2c3d4e5"
    execution_arn = "arn:aws:execute-api:ap-northeast-1:123456789012:a1b2c3d4e5"
  }
}

# Everything on the file's inputs: the ledger, functions, API, feeds, stream, report, alarms, policies.
run "defaults" {
  command = apply

  assert {
    condition     = local.function_defaults.vpc_config == null
    error_message = "the runs functions reach only DynamoDB, S3, SNS and EventBridge: outside any VPC, whatever network the platform carries"
  }

  assert {
    condition = (
      module.ledger.table.name == "pipeline-runs-dev" &&
      module.ledger.table.hash_key == "pipeline" && module.ledger.table.range_key == "runId" &&
      module.ledger.table.billing_mode == "PAY_PER_REQUEST" &&
      module.ledger.table.point_in_time_recovery[0].enabled &&
      module.ledger.table.server_side_encryption[0].kms_key_arn == module.key.arn
    )
    error_message = "Ledger: pipeline-runs-<env>, keys pipeline/runId, on demand, PITR, the runs key."
  }

  assert {
    condition = (
      one(module.ledger.table.local_secondary_index).name == "ByStartedAt" &&
      one(module.ledger.table.local_secondary_index).range_key == "startedAt" &&
      one(module.ledger.table.global_secondary_index).name == "ByStatus" &&
      one(module.ledger.table.global_secondary_index).hash_key == "status" &&
      one(module.ledger.table.global_secondary_index).range_key == "startedAt" &&
      one(module.ledger.table.global_secondary_index).projection_type == "ALL"
    )
    error_message = "LSI ByStartedAt (pipeline, startedAt) and GSI ByStatus (status, startedAt, ALL), as LEDGER_INDEXES."
  }

  assert {
    condition     = module.ledger.table.ttl[0].attribute_name == "ttl" && module.ledger.table.stream_enabled && module.ledger.table.stream_view_type == "NEW_AND_OLD_IMAGES"
    error_message = "TTL on ttl, stream NEW_AND_OLD_IMAGES."
  }

  assert {
    condition     = !module.ledger.table.deletion_protection_enabled && module.reports_bucket.force_destroy
    error_message = "dev: no deletion protection, the reports bucket may be emptied on destroy."
  }

  assert {
    condition     = output.monitoring.lambda_function_names == ["runs-recorder-dev", "runs-api-dev", "runs-stream-processor-dev", "runs-daily-report-dev"]
    error_message = "The functions are runs-recorder, runs-api, runs-stream-processor, runs-daily-report -<env>."
  }

  assert {
    condition = local.function_environment == {
      recorder         = { RUNS_TABLE = "pipeline-runs-dev" }
      api              = { RUNS_TABLE = "pipeline-runs-dev" }
      stream_processor = { RUNS_TABLE = "pipeline-runs-dev", ALARM_TOPIC_ARN = var.platform.alarm_topic.arn }
      daily_report     = { RUNS_TABLE = "pipeline-runs-dev", REPORTS_BUCKET = "runs-reports-dev-123456789012", ALARM_TOPIC_ARN = var.platform.alarm_topic.arn }
    }
    error_message = "Each function gets the variables its config reads: RUNS_TABLE, ALARM_TOPIC_ARN, REPORTS_BUCKET (ENVIRONMENT from lambda-function)."
  }

  assert {
    condition     = aws_api_gateway_rest_api.this.name == "runs-api-dev" && aws_api_gateway_rest_api.this.endpoint_configuration[0].types == tolist(["REGIONAL"])
    error_message = "A regional REST API named runs-api-<env>."
  }

  assert {
    condition = (
      aws_api_gateway_resource.top["runs"].path_part == "runs" &&
      aws_api_gateway_resource.top["health"].path_part == "health" &&
      aws_api_gateway_resource.pipeline.path_part == "{pipeline}" &&
      aws_api_gateway_resource.run.path_part == "{runId}"
    )
    error_message = "Routes /runs, /runs/{pipeline}, /runs/{pipeline}/{runId}, /health."
  }

  assert {
    condition     = length(aws_api_gateway_method.this) == 4 && alltrue([for m in aws_api_gateway_method.this : m.authorization == "AWS_IAM"])
    error_message = "Every method of every route is AWS_IAM-authorized."
  }

  assert {
    condition     = alltrue([for i in aws_api_gateway_integration.this : i.type == "AWS_PROXY" && i.uri == module.api_function.invoke_arn])
    error_message = "Every route is a Lambda proxy to runs-api-<env>."
  }

  assert {
    condition = (
      aws_api_gateway_stage.this.stage_name == "dev" &&
      aws_api_gateway_stage.this.xray_tracing_enabled &&
      aws_api_gateway_stage.this.access_log_settings[0].destination_arn == aws_cloudwatch_log_group.api_access.arn &&
      jsondecode(aws_api_gateway_stage.this.access_log_settings[0].format).status == "$context.status" &&
      aws_cloudwatch_log_group.api_access.name == "/aws/apigateway/runs-api-dev"
    )
    error_message = "Stage <env>, X-Ray on, JSON access logs to /aws/apigateway/runs-api-<env>."
  }

  assert {
    condition     = aws_api_gateway_method_settings.all.method_path == "*/*" && aws_api_gateway_method_settings.all.settings[0].throttling_rate_limit == 10 && aws_api_gateway_method_settings.all.settings[0].throttling_burst_limit == 20
    error_message = "Every method is throttled (default 10 rps, burst 20)."
  }

  assert {
    condition     = local.api_invoke_source_arn == "arn:aws:execute-api:ap-northeast-1:123456789012:a1b2c3d4e5/*/*"
    error_message = "Only this API may invoke runs-api-<env>."
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 1 && aws_api_gateway_account.this[0].cloudwatch_role_arn == aws_iam_role.api_gateway_cloudwatch[0].arn && aws_iam_role.api_gateway_cloudwatch[0].permissions_boundary == var.platform.permissions_boundary_arn
    error_message = "By default the module sets the account's CloudWatch role, with the workload boundary."
  }

  assert {
    condition = module.triggers.rules["step-functions"].event_pattern == jsonencode({
      source        = ["aws.states"]
      "detail-type" = ["Step Functions Execution Status Change"]
      detail = {
        stateMachineArn = var.feeds.state_machine_arns
        status          = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
      }
    })
    error_message = "Status changes of the given state machines only, every status the recorder maps."
  }

  assert {
    condition = module.triggers.rules["lambda"].event_pattern == jsonencode({
      source        = ["lambda"]
      "detail-type" = ["Lambda Function Invocation Result - Success", "Lambda Function Invocation Result - Failure"]
      detail = {
        requestContext = {
          functionArn = [
            { prefix = "arn:aws:lambda:ap-northeast-1:123456789012:function:sync-batch-dev:" },
            { prefix = "arn:aws:lambda:ap-northeast-1:123456789012:function:etl-extract-transform-dev:" },
          ]
        }
      }
    })
    error_message = "Destination records of the given functions only (qualified ARNs: <arn>:$LATEST)."
  }

  assert {
    condition     = alltrue([for t in module.triggers.targets : t.arn == module.recorder.function_arn && t.dead_letter_config[0].arn == module.triggers.dlq.arn])
    error_message = "Both rules target the recorder, with a dead-letter queue."
  }

  assert {
    condition     = toset(keys(local.feeds)) == toset(["step-functions", "lambda"])
    error_message = "One rule per kind of source, and (lambda-function allowed_triggers) one permission each."
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.stream.event_source_arn == module.ledger.table.stream_arn &&
      aws_lambda_event_source_mapping.stream.function_response_types == toset(["ReportBatchItemFailures"]) &&
      aws_lambda_event_source_mapping.stream.bisect_batch_on_function_error &&
      aws_lambda_event_source_mapping.stream.maximum_retry_attempts == 5 &&
      aws_lambda_event_source_mapping.stream.batch_size == 100 &&
      aws_lambda_event_source_mapping.stream.destination_config[0].on_failure[0].destination_arn == module.stream_dlq.arn
    )
    error_message = "Stream mapping: partial batch responses, bisect, bounded retries, SQS on failure."
  }

  assert {
    condition     = module.alarms.names["stream-iterator-age"] == "runs-stream-processor-dev-iterator-age" && local.alarms["stream-iterator-age"].threshold == 600000
    error_message = "Iterator age alarm in ms (600 s by default)."
  }

  assert {
    condition     = module.triggers.schedule.name == "runs-daily-report-dev" && var.report.schedule_expression == "cron(0 9 * * ? *)" && jsondecode(local.report_input) == { trigger = "schedule" }
    error_message = "runs-daily-report-<env> at 09:00 (the schedule module's zone is Asia/Tokyo), as a scheduled run."
  }

  assert {
    condition     = module.reports_bucket.bucket == "runs-reports-dev-123456789012"
    error_message = "Reports bucket runs-reports-<env>-<account>."
  }

  assert {
    condition = toset(keys(module.alarms.names)) == toset(["api-5xx", "api-latency", "stream-iterator-age", "ledger-read-throttles", "ledger-write-throttles"]) && (
      local.alarms["api-5xx"].dimensions == { ApiName = "runs-api-dev", Stage = "dev" }
    )
    error_message = "5XX and latency of the API stage, iterator age, ledger throttling."
  }

  assert {
    condition     = length(output.monitoring.extra_widgets) == 6 && length(output.monitoring.extra_widgets[0].properties.metrics) == 5
    error_message = "Widgets: three per-pipeline run metrics (five pipelines), API traffic and latency, iterator age."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.recorder.statement[0].actions == toset(["dynamodb:GetItem", "dynamodb:UpdateItem"]) &&
      data.aws_iam_policy_document.recorder.statement[0].resources == toset([local.table_arn])
    )
    error_message = "The recorder reads and updates ledger items, nothing else."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.api.statement[0].actions == toset(["dynamodb:GetItem", "dynamodb:Query"]) &&
      data.aws_iam_policy_document.api.statement[0].resources == toset([local.table_arn, local.indexes_arn]) &&
      data.aws_iam_policy_document.api.statement[1].actions == toset(["events:PutEvents"]) &&
      endswith(one(data.aws_iam_policy_document.api.statement[1].resources), ":123456789012:event-bus/default") &&
      jsonencode({ for c in data.aws_iam_policy_document.api.statement[1].condition : c.variable => sort(tolist(c.values)) }) == jsonencode({
        "events:detail-type" = ["manual-trigger"]
        "events:source"      = ["batch-scheduler", "etl", "salesforce-extract"]
      })
    )
    error_message = "The API reads the ledger and puts only the pipelines' manual-trigger events on the default bus."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.stream_processor.statement[0].resources == toset(["${local.table_arn}/stream/*"]) &&
      data.aws_iam_policy_document.stream_processor.source_policy_documents == tolist([data.aws_iam_policy_document.query_and_notify.json]) &&
      data.aws_iam_policy_document.query_and_notify.statement[1].resources == toset([var.platform.alarm_topic.arn]) &&
      data.aws_iam_policy_document.query_and_notify.statement[2].resources == toset([var.platform.alarm_topic.kms_key_arn])
    )
    error_message = "The stream processor reads the ledger's stream and publishes to the alarm topic with its key."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.daily_report.statement[0].actions == toset(["s3:PutObject"]) &&
      data.aws_iam_policy_document.daily_report.statement[0].resources == toset(["${module.reports_bucket.arn}/reports/*"])
    )
    error_message = "The report writes reports/* only."
  }

  assert {
    condition     = endswith(one(data.aws_iam_policy_document.api_gateway_logs.statement[0].resources), ":123456789012:log-group:/aws/apigateway/*-dev:*")
    error_message = "API Gateway's role writes this environment's access log groups only."
  }
}

# The switches off: another environment owns the account's role, nothing feeds the recorder.
run "account_role_elsewhere_and_no_feeds" {
  command = plan

  variables {
    api   = { manage_account_role = false }
    feeds = {}
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 0 && length(aws_iam_role.api_gateway_cloudwatch) == 0 && length(local.feeds) == 0
    error_message = "api.manage_account_role = false creates neither the role nor the account setting (got ${length(aws_iam_role.api_gateway_cloudwatch)} role), and an empty list of sources creates no rule, as an empty pattern list is invalid (got ${length(local.feeds)})."
  }
}

run "invalid_inputs_are_refused" {
  command = plan

  variables {
    platform = merge(var.platform, { alarm_topic = { arn = "platform-alarms-dev" } })
    api      = { throttling = { rate_limit = 0 }, manual_trigger_sources = ["Batch Scheduler"] }
    stream   = { batch_size = 0 }
    report   = { retention_days = 0.5 }
    feeds    = { state_machine_arns = ["arn:aws:lambda:ap-northeast-1:123456789012:function:sync-batch-dev"] }
  }

  expect_failures = [var.platform, var.api, var.stream, var.report, var.feeds]
}

