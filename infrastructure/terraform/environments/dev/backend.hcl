# S3 backend settings for the dev environment (see docs/deploy.md, "Bootstrap").
# The bucket is created by infrastructure/terraform/bootstrap. Either replace the
# placeholder below with its name (output state_bucket), or leave it and set
# TF_STATE_BUCKET, which scripts/terraform/plan.sh passes as -backend-config=bucket=...
# (the GitHub workflow sets it from the repository variable TF_STATE_BUCKET).
bucket       = "REPLACE-WITH-STATE-BUCKET"
key          = "aws-data-pipelines/dev/terraform.tfstate"
region       = "ap-northeast-1"
use_lockfile = true
encrypt      = true
