variable "name" {
  type        = string
  description = "Full table name, e.g. \"pipeline-runs-dev\"."

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.name))
    error_message = "name must be a valid DynamoDB table name: 3-255 characters of A-Z, a-z, 0-9, '_', '-' and '.'."
  }
}

variable "hash_key" {
  type        = string
  description = "Partition key attribute."
}

variable "range_key" {
  type        = string
  description = "Sort key attribute; null for a table keyed by hash_key alone."
  default     = null
}

variable "attribute_types" {
  type        = map(string)
  description = "Types of the key and index attributes that are not strings (\"N\" or \"B\"), by attribute name; every other one is \"S\"."
  default     = {}

  validation {
    condition     = alltrue([for t in values(var.attribute_types) : contains(["S", "N", "B"], t)])
    error_message = "attribute_types values must be \"S\", \"N\" or \"B\"."
  }
}

variable "global_secondary_indexes" {
  type = list(object({
    name            = string
    hash_key        = string
    range_key       = optional(string)
    projection_type = optional(string, "ALL")
  }))
  description = "Global secondary indexes: name, partition and sort key attributes, projection (ALL by default)."
  default     = []
}

variable "local_secondary_indexes" {
  type = list(object({
    name            = string
    range_key       = string
    projection_type = optional(string, "ALL")
  }))
  description = "Local secondary indexes: the table's partition key with another sort key attribute (needs range_key on the table)."
  default     = []

  validation {
    condition     = length(var.local_secondary_indexes) == 0 || var.range_key != null
    error_message = "local_secondary_indexes need a table with a range_key."
  }
}

variable "ttl_attribute" {
  type        = string
  description = "Attribute DynamoDB expires items by (epoch seconds); null for no expiry."
  default     = null
}

variable "stream_view_type" {
  type        = string
  description = "Turns the table's stream on with this view (NEW_AND_OLD_IMAGES, NEW_IMAGE, OLD_IMAGE, KEYS_ONLY); null for no stream."
  default     = null

  validation {
    condition     = var.stream_view_type == null || contains(["NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY"], coalesce(var.stream_view_type, "x"))
    error_message = "stream_view_type must be null, NEW_AND_OLD_IMAGES, NEW_IMAGE, OLD_IMAGE or KEYS_ONLY."
  }
}
