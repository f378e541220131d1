# Encryption choice, alarm naming and input validation.
# Run offline: terraform init && terraform test (from the module folder).

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  name              = "sync-batch-dev-events-dlq"
  source_rule_arns  = ["arn:aws:events:ap-northeast-1:123456789012:rule/sync-batch-dev-schedule"]
  alarm_description = "EventBridge could not deliver an event to sync-batch-dev."
  settings          = { environment = "dev", pipeline = "batch-scheduler" }
}

run "sse_sqs_without_a_key" {
  command = plan

  assert {
    condition     = aws_sqs_queue.this.sqs_managed_sse_enabled == true && aws_sqs_queue.this.kms_master_key_id == null
    error_message = "Without a customer-managed key the queue uses SSE-SQS."
  }

  assert {
    condition     = aws_sqs_queue.this.message_retention_seconds == 1209600
    error_message = "Undelivered events are kept 14 days, the SQS maximum."
  }

  assert {
    condition     = output.alarm_name == "sync-batch-dev-events-dlq-not-empty"
    error_message = "The alarm is named after the queue."
  }
}

run "customer_managed_key_and_topic" {
  command = plan

  variables {
    settings = {
      environment     = "dev"
      pipeline        = "csv-processor"
      kms_key_arn     = "arn:aws:kms:ap-northeast-1:123456789012:key/11111111-2222-3333-4444-555555555555"
      alarm_topic_arn = "arn:aws:sns:ap-northeast-1:123456789012:alarms-dev"
    }
    alarm_name = "csv-processor-dev-events-undelivered"
  }

  assert {
    condition     = aws_sqs_queue.this.kms_master_key_id == "arn:aws:kms:ap-northeast-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "A customer-managed key encrypts the queue when given."
  }

  assert {
    condition     = output.alarm_name == "csv-processor-dev-events-undelivered"
    error_message = "The alarm takes the given name."
  }
}

run "written_by_a_role" {
  # A Lambda function's on-failure destination or a Scheduler schedule: no rule, the
  # queue policy only refuses insecure transport, and the queue still alarms.
  command = apply

  variables {
    name              = "sync-batch-dev-dlq"
    source_rule_arns  = []
    alarm_description = "Asynchronous invocations of sync-batch-dev failed after retries."
  }

  assert {
    condition     = aws_sqs_queue_policy.this.queue_url == aws_sqs_queue.this.id
    error_message = "The queue keeps its policy (TLS only) without a rule."
  }

  assert {
    condition     = local.alarm.description == "Asynchronous invocations of sync-batch-dev failed after retries. They wait in sync-batch-dev-dlq." && local.alarm.threshold == 0 && local.alarm.statistic == "Maximum"
    error_message = "The alarm names the queue the messages wait in."
  }
}

run "refuses_an_invalid_queue_name" {
  command = plan

  variables {
    name = "sync batch dev dlq"
  }

  expect_failures = [var.name]
}
