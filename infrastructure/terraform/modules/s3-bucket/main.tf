# One S3 bucket with secure defaults: public access blocked, objects owned by the bucket
# owner (no ACLs), default encryption (SSE-S3, or SSE-KMS with a bucket key), versioning,
# and a bucket policy that refuses every request made without TLS. The caller may add
# policy statements, lifecycle rules and EventBridge notifications. Public access,
# ownership and the TLS-only policy cannot be switched off. From the pipeline's settings: the
# key (null: SSE-S3), the tags, and deletion_protection, off letting destroy empty the bucket.

resource "aws_s3_bucket" "this" {
  bucket        = var.name
  force_destroy = !var.settings.deletion_protection
  tags          = var.settings.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.settings.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.settings.kms_key_arn
    }
    # A bucket key cuts KMS requests (and their cost) by caching a bucket-level data key.
    bucket_key_enabled = var.settings.kms_key_arn == null ? null : true
  }

  lifecycle {
    precondition {
      condition     = var.settings.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$", var.settings.kms_key_arn))
      error_message = "settings.kms_key_arn must be null or a KMS key (or alias) ARN."
    }
  }
}

# Destroying this resource (versioning = false after true) suspends versioning; a bucket
# that was never versioned is left as it is.
resource "aws_s3_bucket_versioning" "this" {
  count = var.versioning ? 1 : 0

  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

# ---------------------------------------------------------------------------
# Bucket policy: TLS only, plus the caller's statements.
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "bucket_policy" {
  source_policy_documents = var.policy_json == null ? [] : [var.policy_json]

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"] # a deny over every action: plain HTTP is refused whatever the call
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket_policy.json

  # S3 rejects a policy while a freshly created public access block is being applied.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

# ---------------------------------------------------------------------------
# Lifecycle rules (only when there are some).
# ---------------------------------------------------------------------------

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = length(var.lifecycle_rules) > 0 ? 1 : 0

  bucket = aws_s3_bucket.this.id

  dynamic "rule" {
    for_each = var.lifecycle_rules
    content {
      id     = rule.value.id
      status = rule.value.enabled ? "Enabled" : "Disabled"

      # Always a filter: an empty prefix gives `filter {}`, the whole bucket.
      filter {
        prefix = rule.value.prefix == "" ? null : rule.value.prefix
      }

      dynamic "expiration" {
        for_each = rule.value.expiration_days != null || rule.value.expired_object_delete_marker ? [1] : []
        content {
          days                         = rule.value.expiration_days
          expired_object_delete_marker = rule.value.expired_object_delete_marker ? true : null
        }
      }

      dynamic "transition" {
        for_each = rule.value.transitions
        content {
          days          = transition.value.days
          storage_class = transition.value.storage_class
        }
      }

      dynamic "noncurrent_version_expiration" {
        for_each = rule.value.noncurrent_version_expiration_days == null ? [] : [rule.value.noncurrent_version_expiration_days]
        content {
          noncurrent_days = noncurrent_version_expiration.value
        }
      }

      dynamic "abort_incomplete_multipart_upload" {
        for_each = rule.value.abort_incomplete_multipart_upload_days == null ? [] : [rule.value.abort_incomplete_multipart_upload_days]
        content {
          days_after_initiation = abort_incomplete_multipart_upload.value
        }
      }
    }
  }

  # Noncurrent-version rules need versioning in place first.
  depends_on = [aws_s3_bucket_versioning.this]
}

# ---------------------------------------------------------------------------
# Notifications. S3 keeps one notification configuration per bucket: this resource
# owns it, so no other aws_s3_bucket_notification may target this bucket.
# ---------------------------------------------------------------------------

resource "aws_s3_bucket_notification" "this" {
  count = var.eventbridge_notifications ? 1 : 0

  bucket      = aws_s3_bucket.this.id
  eventbridge = true
}
