# Partial configuration: the settings live in backend.hcl (bucket, key, region,
# use_lockfile, encrypt), passed by scripts/terraform/plan.sh as
#   terraform init -backend-config=backend.hcl [-backend-config=bucket=$TF_STATE_BUCKET]
# so no account id or bucket name is hard-coded here. State locking is S3-native
# (use_lockfile = true): no DynamoDB lock table.
terraform {
  backend "s3" {}
}
