#!/usr/bin/env bash
# Plan one environment exactly as .github/workflows/terraform.yml does:
#   init (backend.hcl) -> fmt -check -> validate -> plan -detailed-exitcode -out=tfplan
#
#   scripts/terraform/plan.sh dev|prd        (make plan ENV=dev)
#
# Needs AWS credentials for the environment's account and the zips from
# `npm run build`. Writes infrastructure/terraform/environments/<env>/tfplan (binary,
# applied by apply.sh) and tfplan.txt (readable, for PR comments).
# Exit 0 with or without changes; non-zero on any error. With GITHUB_OUTPUT set,
# writes has_changes=true|false there.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tf_setup "${1:-}"

require_zips
tf_init

log "fmt -check"
terraform fmt -check -recursive "$tf_root" || die "terraform fmt: run 'terraform fmt -recursive infrastructure/terraform'"

log "validate ($ENV)"
terraform -chdir="$env_dir" validate

log "plan ($ENV)"
set +e
terraform -chdir="$env_dir" plan -input=false -lock-timeout=5m -detailed-exitcode -out=tfplan
rc=$?
set -e
case "$rc" in
  0) has_changes=false ;;
  2) has_changes=true ;; # -detailed-exitcode: 2 means "changes present", not a failure
  *) die "terraform plan failed (exit $rc)" ;;
esac

terraform -chdir="$env_dir" show -no-color tfplan >"$env_dir/tfplan.txt"
log "plan saved to ${env_dir#"$repo_root"/}/tfplan (changes: $has_changes)"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "has_changes=$has_changes" >>"$GITHUB_OUTPUT"
fi
