#!/usr/bin/env bash
# Offline Terraform checks: no network, no credentials, nothing written to the repo.
#
#   1. terraform fmt -check -recursive infrastructure/terraform
#   2. terraform validate of every module and environment root, on a temporary
#      copy whose only changes are *_override.tf files that
#        - relax the hashicorp/aws constraint to the version found in a local
#          provider mirror (the machine image ships 5.100.0; the code needs >= 6.25), and
#        - set the Lambda runtime to the newest that version accepts (nodejs22.x),
#   3. terraform test for every module that has tests/*.tftest.hcl (mock_provider "aws").
#
# Arguments: optional roots/modules relative to infrastructure/terraform (e.g.
# `modules/postgres environments/dev`) limit steps 2 and 3 to them, for a quick loop
# while editing one module; no argument checks everything.
#
# Skips (exit 0, with a message) when terraform or a provider mirror is absent.
# Exits non-zero on any failure.
#
# Environment:
#   TF_PROVIDER_MIRROR   folder that contains registry.terraform.io/ (default: searched)
#   TF_OFFLINE_RUNTIME   runtime written by the override (default: nodejs22.x)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tf_root="$repo_root/infrastructure/terraform"
runtime_override="${TF_OFFLINE_RUNTIME:-nodejs22.x}"

# find_mirror, mirrored_aws_version; log is this script's own.
# shellcheck source=scripts/terraform/lib.sh
source "$repo_root/scripts/terraform/lib.sh"
log() { printf '[offline-check] %s\n' "$*" >&2; }

if ! command -v terraform >/dev/null 2>&1; then
  log "SKIP: terraform is not installed (tf-check and the jest HCL tests still apply)."
  exit 0
fi

mirror="$(find_mirror)"
if [[ -z "$mirror" ]]; then
  log "SKIP: no provider mirror with hashicorp/aws found (set TF_PROVIDER_MIRROR)."
  exit 0
fi
aws_version="$(mirrored_aws_version "$mirror")"
if [[ -z "$aws_version" ]]; then
  log "SKIP: $mirror has no hashicorp/aws version."
  exit 0
fi
log "terraform $(terraform version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p' | head -n 1); hashicorp/aws $aws_version from $mirror"

work="$(mktemp -d "${TMPDIR:-/tmp}/tf-offline-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT

cat >"$work/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1
export TF_INPUT=0
export CHECKPOINT_DISABLE=1
unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR

failures=0
fail() {
  log "FAIL: $*"
  failures=$((failures + 1))
}

# 1. fmt (read-only on the repository).
log "terraform fmt -check -recursive"
if ! terraform fmt -check -recursive -diff "$tf_root"; then
  fail "terraform fmt: run 'terraform fmt -recursive infrastructure/terraform'"
fi

# 2. Temporary copy with override files. It keeps the repository layout, with the
#    data files modules read through relative paths (ASL and SQL under functions/).
copy="$work/repo/infrastructure/terraform"
mkdir -p "$copy" "$work/repo/functions"
(cd "$tf_root" && tar --exclude='.terraform' --exclude='.terraform.lock.hcl' --exclude='*.tfstate*' -cf - .) |
  (cd "$copy" && tar -xf -)
(cd "$tf_root/../../functions" && find . \( -name '*.sql' -o -name '*.asl.json' \) -not -path '*/node_modules/*' -print0 |
  tar --null -T - -cf -) | (cd "$work/repo/functions" && tar -xf -)

mapfile -t module_dirs < <(find "$copy" -name '*.tf' -not -path '*/.terraform/*' -not -path '*/tests/*' -printf '%h\n' | sort -u)

for dir in "${module_dirs[@]}"; do
  if grep -qs 'required_providers' "$dir"/*.tf; then
    cat >"$dir/zz_offline_versions_override.tf" <<EOF
# Written by scripts/terraform/offline-check.sh in a temporary copy only.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "$aws_version"
    }
  }
}
EOF
  fi
  # Every aws_lambda_function: the mirrored provider predates nodejs24.x.
  mapfile -t fns < <(sed -n 's/^resource "aws_lambda_function" "\([^"]*\)".*/\1/p' "$dir"/*.tf)
  if ((${#fns[@]} > 0)); then
    {
      echo "# Written by scripts/terraform/offline-check.sh in a temporary copy only."
      for fn in "${fns[@]}"; do
        printf 'resource "aws_lambda_function" "%s" {\n  runtime = "%s"\n}\n' "$fn" "$runtime_override"
      done
    } >"$dir/zz_offline_runtime_override.tf"
  fi
done

# Overrides go into every module (a selected one may call others); checks only into the selection.
checked_dirs=("${module_dirs[@]}")
if (($# > 0)); then
  selected=()
  for want in "$@"; do
    want="${want%/}"
    [[ -d "$copy/$want" ]] || { log "no such root or module: $want"; exit 2; }
    selected+=("$copy/$want")
  done
  checked_dirs=("${selected[@]}")
fi

run_in() {
  local dir="$1"
  shift
  (cd "$dir" && "$@") >"$work/last.log" 2>&1
  local rc=$?
  if ((rc != 0)); then
    cat "$work/last.log" >&2
  fi
  return $rc
}

for dir in "${checked_dirs[@]}"; do
  rel="${dir#"$copy"/}"
  log "validate $rel"
  if ! run_in "$dir" terraform init -backend=false -input=false -no-color; then
    fail "terraform init ($rel)"
    continue
  fi
  if ! run_in "$dir" terraform validate -no-color; then
    fail "terraform validate ($rel)"
    continue
  fi
  if compgen -G "$dir/tests/*.tftest.hcl" >/dev/null; then
    log "test $rel"
    if run_in "$dir" terraform test -no-color; then
      grep -E '^(Success|Failure)!' "$work/last.log" >&2 || true
    else
      fail "terraform test ($rel)"
    fi
  fi
done

if ((failures > 0)); then
  log "$failures failure(s)"
  exit 1
fi
log "OK: fmt, validate (${#checked_dirs[@]} roots/modules) and tests passed"
