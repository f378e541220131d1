# Secure defaults, the switches, the lifecycle mapping and input validation.
# Run offline: terraform init && terraform test (from the module folder).

mock_provider "aws" {
  source = "../../tests/mocks/aws"
}

variables {
  name     = "csv-processor-dev-input-123456789012"
  settings = { environment = "dev", pipeline = "csv-processor" }
}

run "secure_defaults" {
  command = plan

  assert {
    condition     = aws_s3_bucket.this.bucket == "csv-processor-dev-input-123456789012" && aws_s3_bucket.this.force_destroy == false
    error_message = "The bucket takes the full name and refuses to be destroyed while it holds objects."
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "All four public access blocks must be on."
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled (BucketOwnerEnforced)."
  }

  assert {
    condition     = one(flatten([for r in aws_s3_bucket_server_side_encryption_configuration.this.rule : [for d in r.apply_server_side_encryption_by_default : d.sse_algorithm]])) == "AES256"
    error_message = "Without settings.kms_key_arn the bucket uses SSE-S3 (AES256)."
  }

  assert {
    condition     = length(aws_s3_bucket_versioning.this) == 1 && aws_s3_bucket_versioning.this[0].versioning_configuration[0].status == "Enabled"
    error_message = "Versioning is on by default."
  }

  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.this) == 0 && length(aws_s3_bucket_notification.this) == 0
    error_message = "No lifecycle configuration or notification unless asked for."
  }
}

run "kms_lifecycle_and_notifications" {
  command = plan

  variables {
    settings                  = { environment = "dev", pipeline = "csv-processor", kms_key_arn = "arn:aws:kms:ap-northeast-1:123456789012:key/11111111-2222-3333-4444-555555555555", deletion_protection = false }
    versioning                = false
    eventbridge_notifications = true
    lifecycle_rules = [
      {
        id              = "expire-uploads"
        prefix          = "incoming/"
        expiration_days = 90
        transitions     = [{ days = 30, storage_class = "STANDARD_IA" }]
      },
      {
        id                                     = "tidy"
        noncurrent_version_expiration_days     = 30
        abort_incomplete_multipart_upload_days = 1
        expired_object_delete_marker           = true
      },
    ]
  }

  assert {
    condition     = one(flatten([for r in aws_s3_bucket_server_side_encryption_configuration.this.rule : [for d in r.apply_server_side_encryption_by_default : d.sse_algorithm]])) == "aws:kms"
    error_message = "With settings.kms_key_arn the bucket uses SSE-KMS."
  }

  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.this.rule : r.bucket_key_enabled]) == true
    error_message = "SSE-KMS comes with a bucket key."
  }

  assert {
    condition     = length(aws_s3_bucket_versioning.this) == 0 && aws_s3_bucket.this.force_destroy == true
    error_message = "versioning = false is honoured, and deletion_protection = false lets destroy empty the bucket (force_destroy)."
  }

  assert {
    condition     = aws_s3_bucket_notification.this[0].eventbridge == true
    error_message = "eventbridge_notifications = true sends events to EventBridge."
  }

  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this[0].rule : r.id] == ["expire-uploads", "tidy"]
    error_message = "One lifecycle rule per entry, in order."
  }

  assert {
    condition = (
      aws_s3_bucket_lifecycle_configuration.this[0].rule[0].filter[0].prefix == "incoming/" &&
      aws_s3_bucket_lifecycle_configuration.this[0].rule[0].expiration[0].days == 90 &&
      [for t in aws_s3_bucket_lifecycle_configuration.this[0].rule[0].transition : t.storage_class] == ["STANDARD_IA"] &&
      length(aws_s3_bucket_lifecycle_configuration.this[0].rule[0].noncurrent_version_expiration) == 0
    )
    error_message = "A prefixed expiration rule maps to filter.prefix, expiration.days and transition."
  }

  assert {
    condition = (
      length(aws_s3_bucket_lifecycle_configuration.this[0].rule[1].filter) == 1 &&
      aws_s3_bucket_lifecycle_configuration.this[0].rule[1].expiration[0].expired_object_delete_marker == true &&
      aws_s3_bucket_lifecycle_configuration.this[0].rule[1].noncurrent_version_expiration[0].noncurrent_days == 30 &&
      aws_s3_bucket_lifecycle_configuration.this[0].rule[1].abort_incomplete_multipart_upload[0].days_after_initiation == 1
    )
    error_message = "A whole-bucket rule keeps an (empty) filter and maps the version and upload clean-up."
  }
}

run "rejects_an_invalid_name" {
  command = plan

  variables {
    name = "Not_A_Bucket"
  }

  expect_failures = [var.name]
}

run "rejects_expiration_days_with_delete_marker" {
  command = plan

  variables {
    lifecycle_rules = [
      {
        id                           = "both"
        expiration_days              = 30
        expired_object_delete_marker = true
      },
    ]
  }

  expect_failures = [var.lifecycle_rules]
}

run "rejects_a_rule_without_action" {
  command = plan

  variables {
    lifecycle_rules = [{ id = "nothing", prefix = "tmp/" }]
  }

  expect_failures = [var.lifecycle_rules]
}

run "rejects_a_key_that_is_not_a_kms_arn" {
  command = plan

  variables {
    settings = { environment = "dev", pipeline = "csv-processor", kms_key_arn = "alias/csv-processor-dev" }
  }

  expect_failures = [aws_s3_bucket_server_side_encryption_configuration.this]
}
