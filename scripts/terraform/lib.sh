# shellcheck shell=bash
# Shared by plan.sh, apply.sh, offline-check.sh and scripts/rehearse/rehearse.sh (sourced,
# not executed). Usage: source lib.sh; tf_setup ENV; tf_init

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tf_root="$repo_root/infrastructure/terraform"

log() { printf '[terraform] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# tf_setup ENV: checks the environment name and the tools, sets env_dir.
tf_setup() {
  local env="${1:-}"
  case "$env" in
    dev | prd) ;;
    *) die "usage: $(basename "$0") dev|prd (got '${env}')" ;;
  esac
  command -v terraform >/dev/null 2>&1 || die "terraform is not installed (https://developer.hashicorp.com/terraform/install; >= 1.10)"
  env_dir="$tf_root/environments/$env"
  [[ -f "$env_dir/backend.hcl" ]] || die "$env_dir/backend.hcl is missing"
  export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
  ENV="$env"
}

# tf_init: terraform init with the environment's backend settings.
# TF_STATE_BUCKET (optional) overrides the bucket of backend.hcl, so the
# placeholder there can stay untouched (the workflow sets it from a variable).
tf_init() {
  local args=(-input=false -backend-config=backend.hcl)
  if [[ -n "${TF_STATE_BUCKET:-}" ]]; then
    args+=("-backend-config=bucket=$TF_STATE_BUCKET")
  elif grep -q 'REPLACE-WITH-STATE-BUCKET' "$env_dir/backend.hcl"; then
    die "set TF_STATE_BUCKET or write the state bucket into $env_dir/backend.hcl (docs/deploy.md, Bootstrap)"
  fi
  if [[ -n "${TF_LOCKFILE_MODE:-}" ]]; then
    args+=("-lockfile=$TF_LOCKFILE_MODE")
  fi
  log "init ($ENV)"
  terraform -chdir="$env_dir" init "${args[@]}"
}

# require_zips: every functions/<name>/handler.ts needs dist/<name>.zip before a plan.
require_zips() {
  local handler name missing=()
  shopt -s nullglob
  for handler in "$repo_root"/functions/*/handler.ts; do
    name="$(basename "$(dirname "$handler")")"
    [[ -f "$repo_root/dist/$name.zip" ]] || missing+=("dist/$name.zip")
  done
  shopt -u nullglob
  if ((${#missing[@]} > 0)); then
    die "missing ${missing[*]}: run 'npm run build' first"
  fi
}

# find_mirror: prints the provider mirror, the folder holding registry.terraform.io/hashicorp/aws:
# TF_PROVIDER_MIRROR when set, else the usual plugin folders, else the first one found on this
# file system (outside the repository). Prints nothing when there is none.
find_mirror() {
  if [[ -n "${TF_PROVIDER_MIRROR:-}" ]]; then
    [[ -d "$TF_PROVIDER_MIRROR/registry.terraform.io/hashicorp/aws" ]] && printf '%s\n' "$TF_PROVIDER_MIRROR"
    return 0
  fi
  local candidate
  for candidate in /opt/tf-plugins "$HOME/.terraform.d/plugins" /usr/share/terraform/plugins \
    /usr/local/share/terraform/plugins "$HOME/.local/share/terraform/plugins"; do
    if [[ -d "$candidate/registry.terraform.io/hashicorp/aws" ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  local found
  found="$(find / -xdev \( -path /proc -o -path /sys -o -path "$repo_root" \) -prune -o \
    -type d -name registry.terraform.io -print 2>/dev/null | while read -r d; do
      [[ -d "$d/hashicorp/aws" ]] && { dirname "$d"; break; }
    done || true)"
  [[ -n "$found" ]] && printf '%s\n' "$found"
  return 0
}

# mirrored_aws_version MIRROR: the newest hashicorp/aws version in the mirror (empty if none).
mirrored_aws_version() {
  find "$1/registry.terraform.io/hashicorp/aws" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1
}
