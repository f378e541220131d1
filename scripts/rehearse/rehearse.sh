#!/usr/bin/env bash
# Deploy rehearsal: the environment root applied, re-planned, operated, destroyed and
# re-applied against a local AWS emulator (moto), with no AWS account.
#
#   scripts/rehearse/rehearse.sh dev|prd        (make rehearse ENV=dev, npm run rehearse -- dev)
#   scripts/rehearse/rehearse.sh --check-tools  exit 0 when terraform, moto, the AWS CLI and a
#                                               provider mirror are present, 2 (saying what
#                                               to install) otherwise
#
#   1. builds the zips (npm run build);
#   2. copies infrastructure/terraform (symbolic links dereferenced), functions/ and dist/
#      to a temporary directory, keeping the repository layout so the modules' relative
#      paths resolve, and adds *_override.tf files there only (provider pinned to the
#      mirrored version, runtime that version accepts, local backend, every endpoint at
#      the emulator, no credential or account checks, few retries);
#   3. starts the emulator (scripts/rehearse/emulator.py: moto on a free loopback port,
#      patched where it lacks an API the provider calls);
#   4. init -> plan -> apply -> re-plan (no changes expected) -> objects written to every
#      bucket (a used environment) -> the operators' runbook with the AWS CLI -> destroy
#      -> apply -> destroy;
#   5. prints one table: step, seconds, resources (managed resources in the state after
#      the step), outcome; then what the emulator could not exercise.
#
# prd has deletion protection on (terraform.tfvars): its destroys are preceded by an
# apply with -var deletion_protection=false, the step an operator takes to retire it.
#
# Exit 0 when every step passed, 1 when one failed, 2 on usage errors or missing tools
# (the message says what to install). Leaves nothing running and nothing in the
# repository apart from dist/ (the build output). REHEARSE_KEEP=1 keeps the temporary
# directory (state, logs, emulator log) for inspection.
#
# Environment:
#   TF_PROVIDER_MIRROR   folder that contains registry.terraform.io/ (default: searched)
#   REHEARSE_RUNTIME     Lambda runtime written by the override (default: nodejs22.x)
#   REHEARSE_SKIP_BUILD  1: use the zips already in dist/ (CI has just built them)
#   REHEARSE_STEP_TIMEOUT  seconds one Terraform command may take (default 900)
#   REHEARSE_REF         a git ref: rehearse that commit's infrastructure/terraform and
#                        functions/ instead of the working tree (the zips still come
#                        from the working tree's build)
#
# Upgrade mode: scripts/rehearse/rehearse.sh dev --upgrade-from <ref> (make rehearse
# ENV=dev UPGRADE_FROM=<ref>) applies <ref>'s tree, then plans the working tree's (or
# REHEARSE_REF's) root against the same state and emulator, prints the planned action
# of every resource and fails when one would be deleted or replaced (tfjson.py
# upgrade); then applies that plan, re-plans (no changes expected) and destroys.
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo_root/scripts/rehearse"
# The mirrored provider (5.100) predates nodejs24.x, the runtime the modules deploy.
runtime_override="${REHEARSE_RUNTIME:-nodejs22.x}"
region_for_cli="ap-northeast-1"

# find_mirror, mirrored_aws_version; log is this script's own.
# shellcheck source=scripts/terraform/lib.sh
source "$repo_root/scripts/terraform/lib.sh"
log() { printf '[rehearse] %s\n' "$*" >&2; }
usage() {
  cat >&2 <<'EOF'
usage: scripts/rehearse/rehearse.sh dev|prd [--upgrade-from <git ref>]
       scripts/rehearse/rehearse.sh --check-tools
       make rehearse ENV=dev|prd [UPGRADE_FROM=<git ref>]
       npm run rehearse -- dev|prd
EOF
}

env_name="${1:-}"
check_tools_only=""
upgrade_from=""
if [[ $# -eq 3 && "$2" == --upgrade-from ]]; then
  upgrade_from="$3"
  set -- "$1"
fi
if [[ $# -eq 1 && "$env_name" == --check-tools ]]; then
  check_tools_only=1
elif [[ $# -ne 1 || ! "$env_name" =~ ^(dev|prd)$ ]]; then
  log "expected one environment, dev or prd, and optionally --upgrade-from <git ref>${1:+ (got: $*)}"
  usage
  exit 2
elif [[ -n "$upgrade_from" ]] && ! git -C "$repo_root" rev-parse --verify --quiet "$upgrade_from^{commit}" >/dev/null; then
  log "--upgrade-from: $upgrade_from is not a commit of this repository"
  exit 2
elif [[ ! -d "$repo_root/infrastructure/terraform/environments/$env_name" ]]; then
  log "no environment root at infrastructure/terraform/environments/$env_name"
  exit 2
fi

# --- tools (--check-tools stops after this part: exit 0 when all are present) -----

missing=()
command -v terraform >/dev/null 2>&1 || missing+=("terraform >= 1.10 (https://developer.hashicorp.com/terraform/install)")
if ! command -v python3 >/dev/null 2>&1; then
  missing+=("python3 with moto 5: pip install 'moto[server]>=5.2,<6'")
elif ! python3 -c 'import moto, flask, werkzeug; assert int(moto.__version__.split(".")[0]) >= 5' >/dev/null 2>&1; then
  missing+=("moto 5 with its server extras: pip install 'moto[server]>=5.2,<6'")
fi
command -v aws >/dev/null 2>&1 || missing+=("the AWS CLI (v1: pip install awscli, or v2)")
mirror="$(find_mirror)"
if [[ -z "$mirror" ]]; then
  missing+=("a hashicorp/aws provider mirror (terraform providers mirror <dir> on a machine with registry access, then TF_PROVIDER_MIRROR=<dir>)")
fi
aws_version=""
if [[ -n "$mirror" ]]; then
  aws_version="$(mirrored_aws_version "$mirror")"
  [[ -n "$aws_version" ]] || missing+=("a hashicorp/aws version in $mirror/registry.terraform.io/hashicorp/aws")
fi
if ((${#missing[@]} > 0)); then
  log "cannot rehearse, missing:"
  printf '  - %s\n' "${missing[@]}" >&2
  exit 2
fi
if [[ -n "$check_tools_only" ]]; then
  log "tools present: $(terraform version 2>/dev/null | head -n 1), moto $(python3 -c 'import moto; print(moto.__version__)'), $(aws --version 2>&1 | cut -d' ' -f1), hashicorp/aws $aws_version in $mirror"
  exit 0
fi

# --- workspace and teardown -------------------------------------------------------

work="$(mktemp -d "${TMPDIR:-/tmp}/rehearse-$env_name.XXXXXX")"
emulator_pid=""
cleanup() {
  local rc=$?
  if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill "$emulator_pid" 2>/dev/null
    wait "$emulator_pid" 2>/dev/null
  fi
  if [[ "${REHEARSE_KEEP:-}" == 1 ]]; then
    log "kept $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- table --------------------------------------------------------------------------

rows_step=()
rows_seconds=()
rows_resources=()
rows_outcome=()
failed=0

add_row() {
  rows_step+=("$1")
  rows_seconds+=("$2")
  rows_resources+=("$3")
  rows_outcome+=("$4")
}

print_table() {
  local w1=4 w4=7 i
  for i in "${!rows_step[@]}"; do
    ((${#rows_step[i]} > w1)) && w1=${#rows_step[i]}
    ((${#rows_outcome[i]} > w4)) && w4=${#rows_outcome[i]}
  done
  printf '\n%-*s  %7s  %9s  %s\n' "$w1" "step" "seconds" "resources" "outcome"
  printf '%-*s  %7s  %9s  %s\n' "$w1" "$(printf '%*s' "$w1" '' | tr ' ' -)" "-------" "---------" \
    "$(printf '%*s' "$w4" '' | tr ' ' -)"
  for i in "${!rows_step[@]}"; do
    printf '%-*s  %7s  %9s  %s\n' "$w1" "${rows_step[i]}" "${rows_seconds[i]}" "${rows_resources[i]}" "${rows_outcome[i]}"
  done
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- 1. build -----------------------------------------------------------------------

t0="$(now)"
if [[ "${REHEARSE_SKIP_BUILD:-}" == 1 ]]; then
  log "build skipped (REHEARSE_SKIP_BUILD=1): using dist/ as it is"
  compgen -G "$repo_root/dist/*.zip" >/dev/null || {
    log "dist/ has no zips: run npm run build"
    exit 1
  }
  add_row "build" "$(elapsed "$t0")" "-" "skipped (REHEARSE_SKIP_BUILD=1)"
else
  log "npm run build"
  if (cd "$repo_root" && npm run --silent build) >"$work/build.log" 2>&1; then
    add_row "build" "$(elapsed "$t0")" "-" "ok: $(find "$repo_root/dist" -maxdepth 1 -name '*.zip' | wc -l) zips"
  else
    cat "$work/build.log" >&2
    add_row "build" "$(elapsed "$t0")" "-" "FAILED"
    print_table
    exit 1
  fi
fi

# --- 2. temporary copy with overrides ------------------------------------------------

t0="$(now)"
# stage_copy <git ref or empty for the working tree> <copy root>: the repository layout
# (so the modules' relative paths resolve) with the overrides; prints the root's folder.
stage_copy() {
  local ref="$1" copy_root="$2" src_root="$repo_root" dir fn
  mkdir -p "$copy_root/infrastructure" "$copy_root/functions" "$copy_root/dist"
  if [[ -n "$ref" ]]; then
    # A committed tree instead of the working tree (while someone edits the modules).
    src_root="$copy_root.src"
    mkdir -p "$src_root"
    git -C "$repo_root" archive "$ref" infrastructure/terraform functions | tar -xf - -C "$src_root" || {
      log "cannot read $ref from git"
      return 2
    }
  fi
  # Staged with tar first, whose excludes leave a workstation's provider binaries, lock
  # files, state and saved plans behind; then cp -L turns every link into its own file
  # (tar -h would store repeated link targets as hard links to one another).
  mkdir -p "$copy_root.stage"
  tar -C "$src_root" -cf - --exclude=.terraform --exclude=.terraform.lock.hcl --exclude='*.tfstate' \
    --exclude='*.tfstate.*' --exclude=tfplan --exclude='*.tfplan' --exclude=tfplan.txt infrastructure/terraform |
    tar -C "$copy_root.stage" -xf -
  cp -RL "$copy_root.stage/infrastructure/terraform" "$copy_root/infrastructure/terraform"
  rm -rf "$copy_root.stage"
  # functions/: the modules read SQL and ASL files from it through relative paths.
  (cd "$src_root/functions" && tar --exclude=node_modules -cf - .) | (cd "$copy_root/functions" && tar -xf -)
  cp "$repo_root"/dist/*.zip "$copy_root/dist/"
  local tf_dir="$copy_root/infrastructure/terraform/environments/$env_name"
  [[ -d "$tf_dir" ]] || {
    log "no environment root at infrastructure/terraform/environments/$env_name${ref:+ in $ref}"
    return 2
  }

  local module_dirs fns
  mapfile -t module_dirs < <(find "$copy_root/infrastructure/terraform" -name '*.tf' -not -path '*/.terraform/*' \
    -not -path '*/tests/*' -not -path '*/bootstrap/*' -printf '%h\n' | sort -u)
  for dir in "${module_dirs[@]}"; do
    if grep -qs 'required_providers' "$dir"/*.tf; then
      cat >"$dir/zz_rehearse_versions_override.tf" <<EOF
# Written by scripts/rehearse/rehearse.sh in a temporary copy only: the code needs
# hashicorp/aws >= 6.25; this machine mirrors $aws_version.
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
    mapfile -t fns < <(sed -n 's/^resource "aws_lambda_function" "\([^"]*\)".*/\1/p' "$dir"/*.tf)
    if ((${#fns[@]} > 0)); then
      {
        echo "# Written by scripts/rehearse/rehearse.sh in a temporary copy only:"
        echo "# hashicorp/aws $aws_version rejects nodejs24.x."
        for fn in "${fns[@]}"; do
          printf 'resource "aws_lambda_function" "%s" {\n  runtime = "%s"\n}\n' "$fn" "$runtime_override"
        done
      } >"$dir/zz_rehearse_runtime_override.tf"
    fi
  done

  # One state file for every copy: an upgrade plans the new tree against the old one's state.
  cat >"$tf_dir/zz_rehearse_backend_override.tf" <<EOF
# Written by scripts/rehearse/rehearse.sh in a temporary copy only: state stays in
# the temporary directory.
terraform {
  backend "local" {
    path = "$work/terraform.tfstate"
  }
}
EOF
  write_provider_override >"$tf_dir/zz_rehearse_provider_override.tf.in"
  echo "$tf_dir"
}

emulator_url_placeholder="__EMULATOR_URL__"
write_provider_override() {
  cat <<EOF
# Written by scripts/rehearse/rehearse.sh in a temporary copy only: every AWS API at
# the local emulator, fake credentials, no account/metadata lookups that moto cannot
# answer, and few retries so an API the emulator lacks fails fast instead of backing
# off for minutes.
provider "aws" {
  access_key                  = "rehearsal"
  secret_key                  = "rehearsal"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = false
  s3_use_path_style           = true
  max_retries                 = 2

  endpoints {
EOF
  # Every service the provider may call, all at one URL (moto serves them all on one
  # port). A service missing here would still not reach AWS: the provider also gets
  # AWS_ENDPOINT_URL, and the credentials are fake.
  for service in acm apigateway apigatewayv2 appautoscaling athena backup batch cloudformation cloudfront \
    cloudtrail cloudwatch codebuild cognitoidp dms dynamodb ec2 ecr ecs efs elasticache elbv2 emr events \
    firehose glue iam kafka kinesis kms lambda logs opensearch pipes rds redshift resourcegroupstaggingapi \
    route53 s3 s3control scheduler secretsmanager ses sesv2 sfn sns sqs ssm sts xray; do
    printf '    %-24s = "%s"\n' "$service" "$emulator_url_placeholder"
  done
  cat <<'EOF'
  }
}
EOF
}

tf_dir="$(stage_copy "${REHEARSE_REF:-}" "$work/repo")" || exit 2
tf_dirs=("$tf_dir")
if [[ -n "$upgrade_from" ]]; then
  old_tf_dir="$(stage_copy "$upgrade_from" "$work/old")" || exit 2
  tf_dirs+=("$old_tf_dir")
  # The old modules read dist/<function>.zip by name: a zip the build no longer writes
  # would fail the old apply with a message about a file, not about the upgrade.
  missing_zips=()
  while read -r zip; do
    [[ -f "$repo_root/dist/$zip" ]] || missing_zips+=("$zip")
  done < <(grep -rhoE 'dist_dir\}/[A-Za-z0-9_.-]+\.zip' "$work/old/infrastructure/terraform" --include='*.tf' |
    sed 's#.*/##' | sort -u)
  if ((${#missing_zips[@]} > 0)); then
    log "$upgrade_from deploys zips the working tree's build no longer writes: ${missing_zips[*]} (dist/ has $(cd "$repo_root/dist" && echo ./*.zip | sed 's#\./##g'))"
    exit 1
  fi
fi
cat >"$work/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF
add_row "copy + overrides" "$(elapsed "$t0")" "-" "ok: hashicorp/aws $aws_version, runtime $runtime_override"

# --- 3. emulator ----------------------------------------------------------------------

t0="$(now)"
python3 "$here/emulator.py" "$work/emulator.port" "$work/deliveries.jsonl" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do
  [[ -s "$work/emulator.port" ]] && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ ! -s "$work/emulator.port" ]]; then
  cat "$work/emulator.log" >&2
  add_row "emulator" "$(elapsed "$t0")" "-" "FAILED: did not start"
  print_table
  exit 1
fi
endpoint="http://127.0.0.1:$(cat "$work/emulator.port")"
for dir in "${tf_dirs[@]}"; do
  sed "s#$emulator_url_placeholder#$endpoint#" "$dir/zz_rehearse_provider_override.tf.in" \
    >"$dir/zz_rehearse_provider_override.tf"
  rm "$dir/zz_rehearse_provider_override.tf.in"
done
add_row "emulator" "$(elapsed "$t0")" "-" "ok: moto $(python3 -c 'import moto; print(moto.__version__)') at $endpoint"

# Everything below talks to the emulator only: fake credentials, no profile, no
# instance metadata, and the generic endpoint variable as a catch-all.
export AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal AWS_DEFAULT_REGION="$region_for_cli"
export AWS_REGION="$region_for_cli" AWS_ENDPOINT_URL="$endpoint" AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=""
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR TF_WORKSPACE
awscli() { aws --endpoint-url "$endpoint" --region "$region_for_cli" --output json "$@"; }

# --- 4. steps ---------------------------------------------------------------------------

state_json="$work/state.json"
resources_now() {
  if terraform -chdir="$tf_dir" show -json >"$state_json" 2>/dev/null; then
    python3 "$here/tfjson.py" count "$state_json"
  else
    echo "?"
  fi
}

# first_error <log> <exit code>: the first Terraform error of a log, without the SDK's
# request ids, and how many more there are.
first_error() {
  local first count
  first="$(grep -m1 -E '^Error: ' "$1" | sed -E 's/: operation error [^,]*, https response error StatusCode: [0-9]+, RequestID: [^,]*, (HostID: [^,]*, )?(api error )?/: /' | cut -c1-200)"
  count="$(grep -cE '^Error: ' "$1")"
  if [[ -z "$first" ]]; then
    echo "exit $2"
  elif ((count > 1)); then
    echo "$first (+$((count - 1)) more)"
  else
    echo "$first"
  fi
}

stopped=""
# run_step <name> <log name> <command...>: runs a command in the environment copy,
# records seconds, the resource count from the state afterwards and the outcome; once
# a Terraform step has failed, the steps after it depend on a state that is not what
# they expect, so they are listed as not run.
run_step() {
  local name="$1" logname="$2"
  shift 2
  if [[ -n "$stopped" ]]; then
    add_row "$name" "-" "-" "not run (after $stopped failed)"
    return 1
  fi
  log "$name"
  local start rc
  start="$(now)"
  (cd "$tf_dir" && "$@") >"$work/$logname.log" 2>&1
  rc=$?
  local seconds
  seconds="$(elapsed "$start")"
  if ((rc == 0)); then
    add_row "$name" "$seconds" "$(resources_now)" "ok"
    return 0
  fi
  log "$name failed (exit $rc); last lines of its log:"
  tail -n 40 "$work/$logname.log" >&2
  add_row "$name" "$seconds" "$(resources_now)" "FAILED: $(first_error "$work/$logname.log" "$rc")"
  failed=1
  stopped="$name"
  return 1
}

# Every Terraform command has a time limit, so an API the emulator answers wrongly
# (a provider waiter that never sees the state it waits for) fails the step instead
# of holding CI until its own limit. SIGTERM lets Terraform stop cleanly first.
step_timeout="${REHEARSE_STEP_TIMEOUT:-900}"
tf() { timeout --kill-after=30 "$step_timeout" terraform "$@" -no-color; }

# The upgrade plan: every planned action by resource; exit 1 on a delete or replace.
upgrade_plan() {
  tf plan -input=false -out=upgrade.tfplan || return 1
  terraform show -json upgrade.tfplan >"$work/upgrade.json" || return 1
  python3 "$here/tfjson.py" upgrade "$work/upgrade.json"
}
if [[ -n "$upgrade_from" ]]; then
  new_tf_dir="$tf_dir"
  tf_dir="$old_tf_dir"
  run_step "init ($upgrade_from)" init-old tf init -input=false
  run_step "apply ($upgrade_from)" apply-old tf apply -input=false -auto-approve
  tf_dir="$new_tf_dir"
  run_step "init (upgrade)" init tf init -input=false
  run_step "upgrade plan (no delete or replace)" upgrade upgrade_plan
  upgrade_rc=$?
  [[ -s "$work/upgrade.json" ]] && sed -n '/^address/,$p' "$work/upgrade.log" >&2
  if ((upgrade_rc == 0)); then
    rows_outcome[-1]="ok: $(grep -m1 '^planned:' "$work/upgrade.log")"
  elif [[ -s "$work/upgrade.json" ]]; then
    rows_outcome[-1]="FAILED: $(grep -m1 '^planned:' "$work/upgrade.log")"
    # A delete or replace is a finding; the plan is still applied to prove the rest.
    stopped=""
  fi
  run_step "apply upgrade plan" apply tf apply -input=false -auto-approve upgrade.tfplan
else
  run_step "init" init tf init -input=false
  run_step "plan" plan tf plan -input=false -out=rehearsal.tfplan &&
    rows_outcome[-1]="ok: $(grep -m1 -oE 'Plan: .*' "$work/plan.log")"
  run_step "apply" apply tf apply -input=false -auto-approve rehearsal.tfplan
fi
# Invocations whose function the emulator does not run (listed in the report).
if [[ -s "$state_json" ]]; then
  python3 "$here/tfjson.py" list aws_lambda_invocation "$state_json" |
    awk -F'\t' '{ print $1 " (function " $2 ")" }' >"$work/invocations.txt"
fi

# Re-plan: after an apply nothing may change. Exit 2 from -detailed-exitcode is judged
# against the allow-list in tfjson.py (attributes the emulator does not store).
replan() {
  local rc
  tf plan -input=false -detailed-exitcode -out=replan.tfplan
  rc=$?
  ((rc == 0)) && return 0
  ((rc == 2)) || return "$rc"
  terraform show -json replan.tfplan >"$work/replan.json" || return 1
  python3 "$here/tfjson.py" replan "$work/replan.json"
}
if run_step "re-plan (no changes expected)" replan replan; then
  if grep -q '^allowed drift' "$work/replan.log"; then
    rows_outcome[-1]="ok: $(grep -c '^allowed drift' "$work/replan.log") allow-listed attribute(s)"
  else
    rows_outcome[-1]="ok: no changes"
  fi
elif [[ "$stopped" == "re-plan (no changes expected)" ]]; then
  n="$(grep -c '^unexpected change' "$work/replan.log")"
  ((n > 0)) && rows_outcome[-1]="FAILED: $n unexpected change(s)"
  # A drift is a finding, not a broken state: the steps after it still run.
  stopped=""
fi

# A used environment: two versions of one object in every bucket of the state, so the
# destroy below proves the buckets can go (force_destroy) rather than passing on
# empty buckets.
use_buckets() {
  terraform show -json >"$state_json" || return 1
  local address bucket n=0
  while IFS=$'\t' read -r address bucket; do
    printf 'first\n' >"$work/object.txt"
    awscli s3api put-object --bucket "$bucket" --key rehearsal/object.txt --body "$work/object.txt" >/dev/null || return 1
    printf 'second\n' >"$work/object.txt"
    awscli s3api put-object --bucket "$bucket" --key rehearsal/object.txt --body "$work/object.txt" >/dev/null || return 1
    echo "wrote 2 versions to $bucket ($address)"
    n=$((n + 1))
  done < <(python3 "$here/tfjson.py" list aws_s3_bucket "$state_json")
  echo "buckets used: $n"
}
if [[ -n "$upgrade_from" ]]; then
  : # The upgrade ends with the destroy below; the fresh rehearsal covers use and runbook.
elif run_step "use: objects in every bucket" use use_buckets; then
  rows_outcome[-1]="ok: $(sed -n 's/^buckets used: //p' "$work/use.log") bucket(s), 2 versions each"
elif [[ "$stopped" == "use: objects in every bucket" ]]; then
  # Writing objects changes no Terraform state: the destroy still runs (on fewer objects).
  stopped=""
fi

runbook_failed=0
check() {
  # check <description> <command...>: one runbook check, printed either way.
  local description="$1"
  shift
  if "$@" >>"$work/check.out" 2>&1; then
    echo "ok    $description"
  else
    echo "FAIL  $description"
    sed 's/^/      /' "$work/check.out" | tail -n 5
    runbook_failed=1
  fi
  : >"$work/check.out"
}
json_get() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1:]: v=v[k]
print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$@"; }

rule_state_is() { [[ "$(awscli events describe-rule --name "$1" | json_get State)" == "$2" ]]; }
rules_listed() {
  local listed name
  listed="$(awscli events list-rules | json_get Rules)"
  for name in "$@"; do
    grep -q "\"Name\": \"$name\"" <<<"$listed" || {
      echo "rule $name not in list-rules"
      return 1
    }
  done
}
# The manual-trigger command exactly as the operators' docs give it: the shortest
# `aws events put-events --entries '...'` line naming batch-scheduler and manual-trigger
# in README.md and docs/*.md (the working tree's), its JSON argument kept verbatim but
# for the environment it names.
documented_trigger() {
  local line
  line="$(grep -h -E "^aws events put-events --entries '\[.*batch-scheduler.*manual-trigger" \
    "$repo_root/README.md" "$repo_root"/docs/*.md 2>/dev/null | awk '{ print length, $0 }' | sort -n | head -n 1 | cut -d' ' -f2-)"
  [[ -n "$line" ]] || return 1
  sed -E "s/^aws events put-events --entries '(.*)'[[:space:]]*(#.*)?\$/\1/" <<<"$line"
}
put_manual_trigger() {
  # put_manual_trigger <environment to name in Detail>
  local entries out
  entries="$(documented_trigger)" || {
    echo "no documented manual-trigger put-events command in README.md or docs/*.md"
    return 1
  }
  entries="$(sed -E 's/\\"environment\\":\\"(dev|prd)\\"/\\"environment\\":\\"'"$1"'\\"/g' <<<"$entries")"
  echo "aws events put-events --entries '$entries'"
  out="$(awscli events put-events --entries "$entries")" || return 1
  echo "$out"
  [[ "$(json_get FailedEntryCount <<<"$out")" == 0 ]]
}
deliveries_to() {
  # deliveries_to <rule> <function> <environment>: events the emulator delivered to the
  # function through the rule with that environment in their detail (see emulator.py).
  python3 - "$work/deliveries.jsonl" "$@" <<'PY'
import json, sys
path, rule, function, environment = sys.argv[1:]
try:
    lines = open(path, encoding="utf-8").read().splitlines()
except FileNotFoundError:
    lines = []
print(sum(1 for line in lines
          if (d := json.loads(line))["rule"] == rule and d["function"] == function
          and (d.get("detail") or {}).get("environment") == environment))
PY
}
delivered() { [[ "$(deliveries_to "$@")" -ge 1 ]]; }
not_delivered() { [[ "$(deliveries_to "$@")" -eq 0 ]]; }
state_machines_listed() {
  local listed arn
  listed="$(awscli stepfunctions list-state-machines | json_get stateMachines)"
  for arn in "$@"; do
    grep -q "\"stateMachineArn\": \"$arn\"" <<<"$listed" || {
      echo "state machine $arn not in list-state-machines"
      return 1
    }
  done
}
log_group_exists() {
  awscli logs describe-log-groups --log-group-name-prefix "$1" |
    python3 -c 'import json,sys; sys.exit(0 if any(g["logGroupName"]==sys.argv[1] for g in json.load(sys.stdin)["logGroups"]) else 1)' "$1"
}
log_group_is() {
  # log_group_is <name> <retention days>
  local found
  found="$(awscli logs describe-log-groups --log-group-name-prefix "$1" |
    python3 -c 'import json,sys
groups=[g for g in json.load(sys.stdin)["logGroups"] if g["logGroupName"]==sys.argv[1]]
print(groups[0].get("retentionInDays","none") if groups else "missing")' "$1")"
  [[ "$found" == "$2" ]] || {
    echo "$1: retention $found, expected $2"
    return 1
  }
}

runbook() {
  terraform output -json >"$work/outputs.json" || return 1
  terraform show -json >"$state_json" || return 1
  local schedule_rule manual_rule log_group function
  output_value() { json_get "$@" <"$work/outputs.json"; }

  schedule_rule="$(output_value batch_scheduler value schedule_rule_name)" || return 1
  manual_rule="$(output_value batch_scheduler value manual_rule_name)" || return 1
  log_group="$(output_value batch_scheduler value log_group_name)" || return 1
  function="$(output_value batch_scheduler value function_name)" || return 1

  echo "-- batch-scheduler: names from terraform output"
  check "schedule rule is named sync-batch-$env_name-schedule (the runbook's name)" \
    test "$schedule_rule" = "sync-batch-$env_name-schedule"
  check "log group of $function is /aws/lambda/$function" test "$log_group" = "/aws/lambda/$function"
  echo "-- emergency stop and resume (docs/deploy.md section 8)"
  check "aws events disable-rule --name $schedule_rule" awscli events disable-rule --name "$schedule_rule"
  check "  ... the rule is DISABLED" rule_state_is "$schedule_rule" DISABLED
  check "aws events enable-rule --name $schedule_rule" awscli events enable-rule --name "$schedule_rule"
  check "  ... the rule is ENABLED" rule_state_is "$schedule_rule" ENABLED
  check "aws events list-rules shows $schedule_rule and $manual_rule" rules_listed "$schedule_rule" "$manual_rule"
  echo "-- manual trigger"
  local other_env=prd
  [[ "$env_name" == prd ]] && other_env=dev
  check "aws events put-events as documented (manual-trigger, environment $env_name): FailedEntryCount 0" \
    put_manual_trigger "$env_name"
  check "  ... $manual_rule delivered it to $function" delivered "$manual_rule" "$function" "$env_name"
  # docs/../DESIGN: "a rule of one environment never matches another's".
  check "aws events put-events as documented (manual-trigger, environment $other_env): FailedEntryCount 0" \
    put_manual_trigger "$other_env"
  check "  ... $manual_rule did not deliver $other_env's event to $function" \
    not_delivered "$manual_rule" "$function" "$other_env"

  echo "-- names in terraform output -json exist in the emulator"
  local key value
  while IFS=$'\t' read -r key value; do
    case "$key" in
      *rule_name) check "output $key: aws events list-rules shows $value" rules_listed "$value" ;;
      *state_machine_arn) check "output $key: aws stepfunctions list-state-machines shows it" \
        state_machines_listed "$value" ;;
      *log_group_name) check "output $key: aws logs describe-log-groups shows $value" log_group_exists "$value" ;;
      *function_name) check "output $key: aws lambda get-function $value" awscli lambda get-function --function-name "$value" ;;
      *bucket) check "output $key: aws s3api head-bucket $value" awscli s3api head-bucket --bucket "$value" ;;
      *_table) check "output $key: aws dynamodb describe-table $value" awscli dynamodb describe-table --table-name "$value" ;;
      *secret) check "output $key: aws secretsmanager describe-secret $value" \
        awscli secretsmanager describe-secret --secret-id "$value" ;;
      *) ;;
    esac
  done < <(python3 "$here/tfjson.py" outputs "$work/outputs.json")

  echo "-- every state machine in the state is listed"
  local address name arn arns=()
  while IFS=$'\t' read -r address name arn; do
    echo "   $address: $name"
    arns+=("$arn")
  done < <(python3 "$here/tfjson.py" list aws_sfn_state_machine "$state_json")
  check "aws stepfunctions list-state-machines shows ${#arns[@]} state machine(s)" state_machines_listed "${arns[@]}"

  echo "-- log groups: names and retention"
  local retention
  while IFS=$'\t' read -r address name retention; do
    check "aws logs describe-log-groups: $name, ${retention} days" log_group_is "$name" "$retention"
  done < <(python3 "$here/tfjson.py" list aws_cloudwatch_log_group "$state_json")
  # The original runbook: sync-batch logs are kept 7 days whatever the environment.
  check "$log_group is kept 7 days" log_group_is "$log_group" 7
  # Every function logs to /aws/lambda/<function> (the name `aws logs tail` users type).
  while IFS=$'\t' read -r address name; do
    check "function $name has its log group /aws/lambda/$name" \
      grep -q "\"/aws/lambda/$name\"" "$state_json"
  done < <(python3 "$here/tfjson.py" list aws_lambda_function "$state_json")
  return "$runbook_failed"
}
runbook_rc=0
if [[ -z "$upgrade_from" ]]; then
  run_step "runbook (AWS CLI)" runbook runbook
  runbook_rc=$?
fi
# Every check, passed or not, so a reader of CI sees what the runbook covered.
[[ -s "$work/runbook.log" ]] && sed 's/^/  /' "$work/runbook.log" >&2
if [[ -n "$upgrade_from" ]]; then
  :
elif ((runbook_rc == 0)); then
  rows_outcome[-1]="ok: $(grep -c '^ok' "$work/runbook.log") checks"
elif [[ "$stopped" == "runbook (AWS CLI)" ]]; then
  rows_outcome[-1]="FAILED: $(grep -c '^FAIL' "$work/runbook.log") of $(grep -cE '^(ok|FAIL)' "$work/runbook.log") checks"
  # The runbook only reads and toggles a rule: the destroy and re-apply still run.
  stopped=""
fi

# prd: deletion protection is on; retiring it takes an apply that turns it off first.
unprotect() {
  tf apply -input=false -auto-approve -var deletion_protection=false
}
if [[ "$env_name" == prd ]]; then
  run_step "apply -var deletion_protection=false" unprotect1 unprotect
fi
run_step "destroy" destroy tf destroy -input=false -auto-approve
if [[ -z "$upgrade_from" ]]; then
  run_step "apply again (after destroy)" apply2 tf apply -input=false -auto-approve
  if [[ "$env_name" == prd ]]; then
    run_step "apply -var deletion_protection=false (2)" unprotect2 unprotect
  fi
  run_step "destroy again" destroy2 tf destroy -input=false -auto-approve
fi

# --- 5. report ----------------------------------------------------------------------------

print_table

# What the emulator did not exercise, from the last state that had resources.
echo
echo "Not exercised against the emulator:"
echo "  - Lambda code: moto runs functions only in Docker; its Docker-less backend answers Invoke"
echo "    without running code. These aws_lambda_invocation resources were applied but their"
echo "    function did not run:"
if [[ -s "$work/invocations.txt" ]]; then
  sed 's/^/      /' "$work/invocations.txt"
else
  echo "      (none in the state)"
fi
echo "  - State machine definitions are stored, not validated (moto lacks ValidateStateMachineDefinition)."
echo "  - IAM policies are stored, not enforced (moto does not evaluate them by default)."
if grep -q '^allowed drift' "$work/replan.log" 2>/dev/null; then
  echo "  - Re-plan drift tolerated because the emulator does not store these attributes"
  echo "    (allow-list in scripts/rehearse/tfjson.py):"
  sed -n 's/^allowed drift: /      /p' "$work/replan.log"
fi

if ((failed != 0)); then
  log "FAILED (logs: $work, kept only with REHEARSE_KEEP=1)"
  exit 1
fi
log "OK: $env_name rehearsed end to end${upgrade_from:+ (upgraded from $upgrade_from: nothing deleted or replaced)}"
