#!/usr/bin/env bash
# Apply the plan saved by plan.sh, and nothing else: never re-plans.
#
#   scripts/terraform/apply.sh dev|prd       (make apply ENV=dev)
#
# Expects infrastructure/terraform/environments/<env>/tfplan, the
# .terraform.lock.hcl it was planned with and the same dist/*.zip (the workflow
# downloads all three from the plan job's artifact; rebuilding the zips here would
# make the provider report "inconsistent final plan").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tf_setup "${1:-}"

[[ -f "$env_dir/tfplan" ]] || die "no saved plan at ${env_dir#"$repo_root"/}/tfplan: run scripts/terraform/plan.sh $ENV first"

# Same providers as the plan: keep the lock file that came with it.
TF_LOCKFILE_MODE="${TF_LOCKFILE_MODE:-readonly}" tf_init

log "apply saved plan ($ENV)"
terraform -chdir="$env_dir" apply -input=false -lock-timeout=5m tfplan
rm -f "$env_dir/tfplan" "$env_dir/tfplan.txt"
