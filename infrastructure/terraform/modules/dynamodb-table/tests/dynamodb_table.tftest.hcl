# The table's keys, declared attributes, indexes, TTL, stream and protection (mocked provider).

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  name      = "pipeline-runs-dev"
  hash_key  = "pipeline"
  range_key = "runId"
  settings = {
    environment         = "dev"
    pipeline            = "runs"
    deletion_protection = false
    kms_key_arn         = "arn:aws:kms:ap-northeast-1:123456789012:key/runs"
  }
}

run "ledger_shape_declares_every_key_attribute_once" {
  command = plan

  variables {
    local_secondary_indexes  = [{ name = "ByStartedAt", range_key = "startedAt" }]
    global_secondary_indexes = [{ name = "ByStatus", hash_key = "status", range_key = "startedAt" }]
    ttl_attribute            = "ttl"
    stream_view_type         = "NEW_AND_OLD_IMAGES"
    attribute_types          = { runId = "S" }
  }

  assert {
    condition     = { for a in aws_dynamodb_table.this.attribute : a.name => a.type } == { pipeline = "S", runId = "S", startedAt = "S", status = "S" }
    error_message = "Every attribute a key or index uses is declared once, as a string unless attribute_types says otherwise, and no other."
  }

  assert {
    condition     = one(aws_dynamodb_table.this.local_secondary_index).projection_type == "ALL" && one(aws_dynamodb_table.this.global_secondary_index).hash_key == "status"
    error_message = "Indexes as given, projecting ALL by default."
  }

  assert {
    condition     = aws_dynamodb_table.this.ttl[0].attribute_name == "ttl" && aws_dynamodb_table.this.ttl[0].enabled && aws_dynamodb_table.this.stream_enabled && aws_dynamodb_table.this.stream_view_type == "NEW_AND_OLD_IMAGES"
    error_message = "TTL and the stream when asked for."
  }

  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.this.point_in_time_recovery[0].enabled && aws_dynamodb_table.this.server_side_encryption[0].kms_key_arn == var.settings.kms_key_arn && !aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "On demand, point-in-time recovery, the pipeline key, deletion protection as given."
  }
}

run "hash_key_only_table_has_no_ttl_and_no_stream" {
  command = plan

  variables {
    name            = "salesforce-extract-watermarks-prd"
    hash_key        = "object"
    range_key       = null
    attribute_types = { object = "S" }
    settings        = { environment = "prd", pipeline = "salesforce-extract", kms_key_arn = "arn:aws:kms:ap-northeast-1:123456789012:key/sf" }
  }

  assert {
    condition     = length(aws_dynamodb_table.this.attribute) == 1 && length(aws_dynamodb_table.this.ttl) == 0 && !aws_dynamodb_table.this.stream_enabled && aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "One attribute, no TTL block, no stream, protected."
  }
}

run "refuses_bad_types_stream_views_and_lsis_without_a_range_key" {
  command = plan

  variables {
    range_key               = null
    attribute_types         = { pipeline = "X" }
    stream_view_type        = "ALL"
    local_secondary_indexes = [{ name = "ByStartedAt", range_key = "startedAt" }]
  }

  expect_failures = [var.attribute_types, var.stream_view_type, var.local_secondary_indexes]
}

run "refuses_a_table_without_the_pipeline_key" {
  command = plan

  variables {
    settings = { environment = "dev", pipeline = "runs" }
  }

  expect_failures = [aws_dynamodb_table.this]
}
