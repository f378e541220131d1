# dev: cheapest shape that behaves like prd.
environment = "dev"
region      = "ap-northeast-1"
# allowed_account_ids = ["111111111111"]

# network: one NAT gateway shared by both AZs; Secrets Manager endpoint only.
vpc_cidr            = "10.20.0.0/16"
single_nat_gateway  = true
interface_endpoints = ["secretsmanager"]

# monitoring
alarm_emails = []

# pipelines
log_retention_days              = 7
log_level                       = "DEBUG"
deletion_protection             = false
aurora_min_capacity             = 0
aurora_max_capacity             = 2
aurora_seconds_until_auto_pause = 3600
schedules_enabled               = true
database_multi_az               = false

# batch-scheduler (YouTube → PostgreSQL)
batch_scheduler_schedule_times_jst = ["00:00"]
batch_scheduler_channel_ids        = []

# csv-processor (S3 upload → Step Functions → Aurora user_statistics)
csv_processor_batch_size                   = 500
csv_processor_max_concurrency              = 5
csv_processor_tolerated_failure_percentage = 5

# salesforce-extract (Salesforce → S3 raw CSV): on once the connected app exists; then set the
# secret salesforce-extract-dev/jwt (docs/salesforce-extract.md) before the first run.
salesforce_extract_enabled = false
# salesforce_extract_objects = [{ name = "Account" }, { name = "Opportunity", alarm_when_empty = true }]

# runs (run ledger, its API, notices, daily report): API Gateway's CloudWatch role is one per account;
# when dev and prd share an account, set this false in one of them (modules/runs/README.md).
# runs_manage_api_gateway_account_role = false
