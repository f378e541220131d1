variable "schedule" {
  type = object({
    description               = string
    expression                = string
    target_arn                = string
    input                     = optional(string)
    enabled                   = optional(bool, true)
    retry_attempts            = optional(number, 3)
    maximum_event_age_seconds = optional(number, 3600)
  })
  description = "The schedule: description, for operators; expression, when, in JST (time zone Asia/Tokyo): cron(minutes hours day-of-month month day-of-week year), rate(...) or at(...), 02:00 JST daily is cron(0 2 * * ? *); target_arn, a Lambda function, a state machine, an SQS queue or an SNS topic (the role gets the one action that reaches it); input, the JSON the target receives (null: none); enabled (a disabled schedule stays deployed); retry_attempts (0-185) within maximum_event_age_seconds (60-86400) before the event goes to the dead-letter queue. Checked before anything is created; the error lists every problem."
}
