# One DynamoDB table with the pipelines' defaults: on demand, point-in-time recovery, encrypted
# with the pipeline key, deletion protection as the pipeline decides (key, protection and tags:
# the pipeline's settings). Every attribute a key or index uses is declared, and no other
# (DynamoDB refuses an attribute no key names).

locals {
  key_attributes = distinct(compact(concat(
    [var.hash_key, var.range_key],
    flatten([for i in var.global_secondary_indexes : [i.hash_key, i.range_key]]),
    [for i in var.local_secondary_indexes : i.range_key],
  )))
}

resource "aws_dynamodb_table" "this" {
  name                        = var.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = var.hash_key
  range_key                   = var.range_key
  deletion_protection_enabled = var.settings.deletion_protection

  stream_enabled   = var.stream_view_type != null
  stream_view_type = var.stream_view_type

  dynamic "attribute" {
    for_each = local.key_attributes
    content {
      name = attribute.value
      type = lookup(var.attribute_types, attribute.value, "S")
    }
  }

  dynamic "local_secondary_index" {
    for_each = var.local_secondary_indexes
    content {
      name            = local_secondary_index.value.name
      range_key       = local_secondary_index.value.range_key
      projection_type = local_secondary_index.value.projection_type
    }
  }

  dynamic "global_secondary_index" {
    for_each = var.global_secondary_indexes
    content {
      name            = global_secondary_index.value.name
      hash_key        = global_secondary_index.value.hash_key
      range_key       = global_secondary_index.value.range_key
      projection_type = global_secondary_index.value.projection_type
    }
  }

  dynamic "ttl" {
    for_each = var.ttl_attribute == null ? [] : [var.ttl_attribute]
    content {
      attribute_name = ttl.value
      enabled        = true
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.settings.kms_key_arn
  }

  tags = var.settings.tags

  lifecycle {
    precondition {
      condition     = var.settings.kms_key_arn != null
      error_message = "settings.kms_key_arn is required: every table is encrypted with its pipeline's key."
    }
  }
}
