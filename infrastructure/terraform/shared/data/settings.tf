# Linked into the building blocks that hold a pipeline's data (dynamodb-table, s3-bucket,
# postgres), its key (pipeline-key) and its dead-letter queues (eventbridge-dlq): what they take
# from the pipeline rather than from the call, so that a call names only what is its own (a
# table's keys, a bucket's lifecycle, a database's server). A pipeline module passes
# local.function_defaults (shared/pipeline.tf's local.pipeline_settings plus its key);
# pipeline-key, which makes the key, takes local.pipeline_settings; lambda-function, schedule
# and triggers hand their own settings to their queue. Attributes not declared here (log
# settings, VPC placement, ...) are dropped on the way in. In a folder of its own:
# shared/function_settings.tf declares `settings` too.

variable "settings" {
  type = object({
    environment         = string
    pipeline            = string
    tags                = optional(map(string), {})
    kms_key_arn         = optional(string)
    deletion_protection = optional(bool, true)
    alarm_topic_arn     = optional(string)
  })
  description = "What the block takes from its pipeline: environment (\"dev\" or \"prd\"), pipeline (its name, kebab-case), tags (the pipeline's, Pipeline included), kms_key_arn (the pipeline key, pipeline-key output arn; null: the AWS-owned encryption the block documents), alarm_topic_arn (the topic eventbridge-dlq's alarm notifies; null: an alarm without actions) and deletion_protection (refuse to delete a table or database, take a database's final snapshot; off lets destroy empty a bucket; default on)."

  validation {
    condition     = contains(["dev", "prd"], var.settings.environment) && can(regex("^[a-z][a-z0-9-]*$", var.settings.pipeline))
    error_message = "settings.environment must be \"dev\" or \"prd\" and settings.pipeline lower-case kebab-case."
  }
}
