# The ledger's stream → runs-stream-processor-<env>, with partial batch responses (the
# function returns the records that failed; only those are retried), a failing batch split
# in two on each error, and the records that failed every retry sent to a queue (as a
# pointer to the shard and sequence numbers: replay reads them from the stream within 24 h).

module "stream_dlq" {
  source = "../eventbridge-dlq"

  name              = "runs-stream-processor-${var.environment}-stream-dlq"
  settings          = local.function_defaults
  alarm_description = "Ledger stream records failed every retry in runs-stream-processor-${var.environment}: their notices were not sent."
}

resource "aws_lambda_event_source_mapping" "stream" {
  function_name     = module.stream_processor.function_arn
  event_source_arn  = module.ledger.table.stream_arn
  starting_position = "LATEST"

  batch_size                         = var.stream.batch_size
  maximum_batching_window_in_seconds = 5
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = var.stream.maximum_retry_attempts
  # A notice older than a day helps nobody; its record goes to the queue instead.
  maximum_record_age_in_seconds = 86400
  function_response_types       = ["ReportBatchItemFailures"]

  # Only a status that changed is worth a look: the processor decides what to say.
  filter_criteria {
    filter {
      pattern = jsonencode({ eventName = ["INSERT", "MODIFY"] })
    }
  }

  destination_config {
    on_failure {
      destination_arn = module.stream_dlq.arn
    }
  }

  tags = local.tags
}
