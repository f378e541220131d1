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
    max_concurrency        = optional(number, 2)
    memory_size            = optional(number, 1024)
    schedule_expression    = optional(string, "cron(0 3 * * ? *)")
    alarm_hours            = optional(number, 24)
    bucket_kms_encrypted   = optional(bool, true)
    glacier_after_days     = optional(number, 90)
    expire_after_days      = optional(number, 730)
  })
  description = "Extraction settings: REST/Bulk API version; record count from which mode auto uses Bulk API 2.0; seconds the incremental window reaches back before the watermark; the share of DailyApiRequests that must remain for a run to start (percent); maxRecords of one Bulk results page; milliseconds an invocation keeps in reserve before handing a download over to the next one; seconds the state machine waits between polls of a Bulk job, and the polls after which a job that is not complete is aborted (15 × 240: one hour); max_concurrency, the objects extracted at the same time (the Map state's MaxConcurrency; each running Bulk job counts against the org's limits); memory_size of salesforce-extract-<env> in MB (CPU scales with it; the bounded-memory download needs far less than the default); schedule_expression, when the state machine runs, in JST (EventBridge Scheduler, time zone Asia/Tokyo): cron(minutes hours day-of-month month day-of-week year) or rate(...), by default 03:00 JST daily; alarm_hours, the window of the no-records alarms (objects with alarm_when_empty): no row written in this many hours, while a run wrote a count, raises the alarm (at least the schedule's interval); bucket_kms_encrypted, the raw bucket with SSE-KMS, the pipeline key and a bucket key (the rule of docs/architecture.md#encryption), false uses SSE-S3 (AES256) for consumers that cannot be granted the key; glacier_after_days, after which raw files move to S3 Glacier Flexible Retrieval (objects there are billed for at least 90 days); expire_after_days, after which raw files and their manifests are deleted, later than glacier_after_days."
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

  validation {
    condition     = var.settings.max_concurrency >= 1 && var.settings.max_concurrency <= 20 && floor(var.settings.max_concurrency) == var.settings.max_concurrency && var.settings.memory_size >= 256 && var.settings.memory_size <= 10240
    error_message = "settings: max_concurrency must be an integer between 1 and 20, memory_size between 256 and 10240 MB."
  }

  validation {
    condition     = can(regex("^(cron|rate)\\(.+\\)$", var.settings.schedule_expression))
    error_message = "settings.schedule_expression must be cron(...) or rate(...)."
  }

  validation {
    condition     = var.settings.alarm_hours >= 1 && var.settings.alarm_hours <= 24 && floor(var.settings.alarm_hours) == var.settings.alarm_hours
    error_message = "settings.alarm_hours must be a whole number from 1 to 24."
  }

  validation {
    condition     = var.settings.glacier_after_days >= 1 && floor(var.settings.glacier_after_days) == var.settings.glacier_after_days && floor(var.settings.expire_after_days) == var.settings.expire_after_days && var.settings.expire_after_days > var.settings.glacier_after_days
    error_message = "settings: glacier_after_days must be a whole number of at least 1, expire_after_days a whole number greater than glacier_after_days."
  }
}

# ---------------------------------------------------------------------------
# Platform (var.platform: shared/pipeline.tf)
# ---------------------------------------------------------------------------

locals {
  # platform.network.private_subnet_ids runs the function in them (Salesforce then sees the NAT
  # gateways' addresses); none, the default, runs it outside any VPC.
  platform_needs = { private_subnets = 0, database_security_group = false, alarm_topic = false }
}
