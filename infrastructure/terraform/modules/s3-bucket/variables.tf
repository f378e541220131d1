variable "name" {
  type        = string
  description = "Full bucket name (globally unique), e.g. \"csv-processor-dev-input-123456789012\". Names are global: include the account id."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.name)) && !strcontains(var.name, "..") && !can(regex("^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.name))
    error_message = "name must be a valid S3 bucket name: 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit, no '..', not an IP address."
  }
}

variable "versioning" {
  type        = bool
  description = "Keep object versions (overwrites and deletes become recoverable). Turning it off later suspends versioning; existing versions stay."
  default     = true
}

variable "policy_json" {
  type        = string
  description = "Extra bucket policy statements (a JSON policy document, e.g. data.aws_iam_policy_document.x.json), merged with the module's TLS-only deny. Statement ids must be unique and must not be \"DenyInsecureTransport\". Build the bucket ARN from the name (\"arn:aws:s3:::<name>\"), not from this module's outputs. null for none."
  default     = null

  validation {
    condition     = var.policy_json == null || can(jsondecode(var.policy_json))
    error_message = "policy_json must be null or a JSON policy document."
  }
}

variable "lifecycle_rules" {
  type = list(object({
    id                                     = string
    enabled                                = optional(bool, true)
    prefix                                 = optional(string, "")
    expiration_days                        = optional(number)
    expired_object_delete_marker           = optional(bool, false)
    noncurrent_version_expiration_days     = optional(number)
    abort_incomplete_multipart_upload_days = optional(number)
    transitions = optional(list(object({
      days          = number
      storage_class = string
    })), [])
  }))
  description = "Lifecycle rules. prefix \"\" (the default) applies a rule to the whole bucket (filter {}). expiration_days expires current versions; expired_object_delete_marker removes delete markers left without versions (not together with expiration_days); noncurrent_version_expiration_days deletes old versions; abort_incomplete_multipart_upload_days cleans failed uploads; transitions move current versions to another storage class. [] creates no lifecycle configuration."
  default     = []

  validation {
    condition     = length(distinct([for r in var.lifecycle_rules : r.id])) == length(var.lifecycle_rules)
    error_message = "lifecycle_rules ids must be unique."
  }

  validation {
    condition     = alltrue([for r in var.lifecycle_rules : length(r.id) >= 1 && length(r.id) <= 255])
    error_message = "Each lifecycle rule id must be 1 to 255 characters."
  }

  validation {
    condition = alltrue([for r in var.lifecycle_rules :
      r.expiration_days != null || r.expired_object_delete_marker || r.noncurrent_version_expiration_days != null || r.abort_incomplete_multipart_upload_days != null || length(r.transitions) > 0
    ])
    error_message = "Each lifecycle rule needs at least one action: expiration_days, expired_object_delete_marker, noncurrent_version_expiration_days, abort_incomplete_multipart_upload_days or transitions."
  }

  validation {
    condition     = alltrue([for r in var.lifecycle_rules : !(r.expiration_days != null && r.expired_object_delete_marker)])
    error_message = "A lifecycle rule cannot set both expiration_days and expired_object_delete_marker (S3 accepts one of them per expiration)."
  }

  validation {
    condition = alltrue(flatten([for r in var.lifecycle_rules : [
      for d in [r.expiration_days, r.noncurrent_version_expiration_days, r.abort_incomplete_multipart_upload_days] :
      d == null ? true : d >= 1 && floor(d) == d
    ]]))
    error_message = "Lifecycle day counts must be whole numbers of at least 1."
  }

  validation {
    condition = alltrue(flatten([for r in var.lifecycle_rules : [
      for t in r.transitions :
      t.days >= 0 && floor(t.days) == t.days && contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], t.storage_class)
    ]]))
    error_message = "Each transition needs whole days >= 0 and storage_class STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER or DEEP_ARCHIVE."
  }
}

variable "eventbridge_notifications" {
  type        = bool
  description = "Send the bucket's events (Object Created, Object Deleted, ...) to EventBridge. The module then owns the bucket's only notification configuration: nothing else may declare an aws_s3_bucket_notification for this bucket."
  default     = false
}
