# Object Created on incoming/*.csv starts an execution; what EventBridge cannot
# deliver goes to the events dead-letter queue.

module "triggers" {
  source = "../triggers"

  name     = local.pipeline
  settings = local.function_defaults
  rules = {
    object_created = {
      name        = local.prefix
      description = "Starts ${module.workflow.name} for each CSV uploaded under ${local.incoming_prefix}."
      object_created = {
        bucket = module.input_bucket.bucket
        keys   = ["${local.incoming_prefix}*.csv", "${local.incoming_prefix}*.CSV"]
      }
    }
  }
  # S3 events are not replayed by anyone else: the default retries, the whole day EventBridge allows.
  targets = {
    object_created = { id = "csv-user-log-processor", arn = module.workflow.arn, role = true }
  }
  role_description = "Lets the ${local.prefix} EventBridge rule start ${module.workflow.name}."
  dlq_alarm = {
    name        = "${local.prefix}-events-undelivered"
    description = "EventBridge could not start ${module.workflow.name}."
  }
}
