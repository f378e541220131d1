# ---------------------------------------------------------------------------
# What is extracted (SALESFORCE_OBJECTS and the function's other settings)
# ---------------------------------------------------------------------------

variable "objects" {
  type = list(object({
    name             = string
    fields           = optional(list(string), ["*"])
    where            = optional(string)
    mode             = optional(string, "auto")
    incremental      = optional(bool, true)
    include_deleted  = optional(bool, false)
    alarm_when_empty = optional(bool, false)
  }))
  description = "Objects extracted on every run: API name; fields [\"*\"] (every queryable field from describe, compound fields as their components, base64 left out) or a SELECT list (parent fields as Parent.Field); an optional SOQL condition (where, without WHERE); mode auto (REST below settings.rest_threshold records, Bulk API 2.0 above), rest or bulk; incremental (a SystemModstamp window from the stored watermark) or a full extract each run; include_deleted (queryAll: deleted records with IsDeleted = true); alarm_when_empty raises <prefix>-<object>-no-records when a run of alarm_hours writes no row of it."
  default     = [{ name = "Account" }, { name = "Contact" }]
  # null from a caller (an environment leaving its setting unset) means this default.
  nullable = false

  validation {
    condition     = length(var.objects) >= 1 && length(distinct([for o in var.objects : o.name])) == length(var.objects)
    error_message = "objects needs at least one object, each named once."
  }

  validation {
    condition     = alltrue([for o in var.objects : can(regex("^[A-Za-z][A-Za-z0-9_]{0,79}$", o.name))])
    error_message = "Each object name must be a Salesforce API name (letters, digits, underscores, e.g. Account or Invoice__c)."
  }

  validation {
    condition     = alltrue([for o in var.objects : contains(["auto", "rest", "bulk"], o.mode)])
    error_message = "Each object's mode must be auto, rest or bulk."
  }

  validation {
    condition = alltrue([for o in var.objects : o.fields == tolist(["*"]) || (
      length(o.fields) > 0 && alltrue([for f in o.fields : can(regex("^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*){0,4}$", f))])
    )])
    error_message = "Each object's fields must be [\"*\"] or a non-empty list of field API names (Parent.Field for parent fields, at most five relationships deep)."
  }

  validation {
    condition     = alltrue([for o in var.objects : o.where == null || trimspace(coalesce(o.where, " ")) != ""])
    error_message = "An object's where must be a SOQL condition, or left out."
  }

  validation {
    # Lambda allows 4 KB for all environment variables together.
    condition     = length(jsonencode(var.objects)) <= 3000
    error_message = "The objects list is too long for the function's environment (4 KB in all): shorten the field lists or use fields [\"*\"]."
  }
}

variable "settings" {
  type = object({
    api_version            = optional(string, "63.0")
    rest_threshold         = optional(number, 2000)
    lookback_seconds       = optional(number, 300)
    api_floor_percent      = optional(number, 10)
    bulk_page_records      = optional(number, 50000)
    time_budget_reserve_ms = optional(number, 60000)
    poll_seconds           = optional(number, 15)
    max_polls              = optional(number, 240)
  })
  description = "Extraction settings (the function's environment): REST/Bulk API version; record count from which mode auto uses Bulk API 2.0; seconds the incremental window reaches back before the watermark; the share of DailyApiRequests that must remain for a run to start (percent); maxRecords of one Bulk results page; milliseconds an invocation keeps in reserve before handing a download over to the next one; seconds the state machine waits between polls of a Bulk job, and the polls after which a job that is not complete is aborted (15 × 240: one hour)."
  default     = {}

  validation {
    condition     = can(regex("^[0-9]{2}\\.0$", var.settings.api_version))
    error_message = "settings.api_version must look like 63.0."
  }

  validation {
    condition     = var.settings.rest_threshold >= 1 && var.settings.lookback_seconds >= 0 && var.settings.api_floor_percent >= 0 && var.settings.api_floor_percent < 100
    error_message = "settings: rest_threshold must be at least 1, lookback_seconds at least 0, api_floor_percent from 0 to 99."
  }

  validation {
    # Lambda's timeout is 15 minutes: a reserve of 10 minutes or more leaves a download no time.
    condition     = var.settings.bulk_page_records >= 1 && var.settings.time_budget_reserve_ms >= 10000 && var.settings.time_budget_reserve_ms <= 600000
    error_message = "settings: bulk_page_records must be at least 1 and time_budget_reserve_ms between 10000 and 600000."
  }

  validation {
    condition     = var.settings.poll_seconds >= 1 && var.settings.max_polls >= 1 && floor(var.settings.poll_seconds) == var.settings.poll_seconds && floor(var.settings.max_polls) == var.settings.max_polls
    error_message = "settings: poll_seconds and max_polls must be whole numbers of at least 1."
  }
}

# ---------------------------------------------------------------------------
# Schedule, manual trigger and the run
# ---------------------------------------------------------------------------

variable "schedule_expression" {
  type        = string
  description = "When the state machine runs, in JST (EventBridge Scheduler, time zone Asia/Tokyo): cron(minutes hours day-of-month month day-of-week year) or rate(...). The default is 03:00 JST daily."
  default     = "cron(0 3 * * ? *)"

  validation {
    condition     = can(regex("^(cron|rate)\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be cron(...) or rate(...)."
  }
}

variable "max_concurrency" {
  type        = number
  description = "Objects extracted at the same time (the Map state's MaxConcurrency); each running Bulk job counts against the org's limits."
  default     = 2

  validation {
    condition     = var.max_concurrency >= 1 && var.max_concurrency <= 20 && floor(var.max_concurrency) == var.max_concurrency
    error_message = "max_concurrency must be an integer between 1 and 20."
  }
}

variable "memory_size" {
  type        = number
  description = "Memory of salesforce-extract-<env> in MB (CPU scales with it); the bounded-memory download needs far less than the default."
  default     = 1024

  validation {
    condition     = var.memory_size >= 256 && var.memory_size <= 10240
    error_message = "memory_size must be between 256 and 10240 MB."
  }
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets (network module private_subnet_ids) to run the function in, with lambda_security_group_id; Salesforce is then reached through the NAT gateway. [] runs the function outside any VPC."
  default     = []
}

# ---------------------------------------------------------------------------
# Storage and alarms
# ---------------------------------------------------------------------------

variable "bucket_kms_encrypted" {
  type        = bool
  description = "Encrypt the raw bucket with the pipeline key (SSE-KMS with a bucket key, the rule of docs/architecture.md#encryption); false uses SSE-S3 (AES256) for consumers that cannot be granted the key."
  default     = true
}

variable "glacier_after_days" {
  type        = number
  description = "Days after which raw files move to S3 Glacier Flexible Retrieval (objects there are billed for at least 90 days)."
  default     = 90

  validation {
    condition     = var.glacier_after_days >= 1 && floor(var.glacier_after_days) == var.glacier_after_days
    error_message = "glacier_after_days must be a whole number of at least 1."
  }
}

variable "expire_after_days" {
  type        = number
  description = "Days after which raw files and their manifests are deleted; must be later than glacier_after_days."
  default     = 730

  validation {
    condition     = floor(var.expire_after_days) == var.expire_after_days && var.expire_after_days > var.glacier_after_days
    error_message = "expire_after_days must be a whole number greater than glacier_after_days."
  }
}

variable "alarm_hours" {
  type        = number
  description = "Window of the no-records alarms (objects with alarm_when_empty): no row written in this many hours, while a run wrote a count, raises the alarm. At least the schedule's interval."
  default     = 24

  validation {
    condition     = var.alarm_hours >= 1 && var.alarm_hours <= 24 && floor(var.alarm_hours) == var.alarm_hours
    error_message = "alarm_hours must be a whole number from 1 to 24."
  }
}
