"""Queries on `terraform show -json` output for the deploy rehearsal.

    python3 tfjson.py count      STATE_JSON       managed resources in the state
    python3 tfjson.py list TYPE  STATE_JSON       one line per resource of TYPE:
                                                  address<TAB>attribute values (see LIST_FIELDS)
    python3 tfjson.py replan     PLAN_JSON        judge a re-plan after apply (exit 0 clean or
                                                  only allow-listed drift, 1 otherwise)
    python3 tfjson.py outputs    OUTPUTS_JSON     every string in `terraform output -json`:
                                                  dotted.path<TAB>value

Nothing here names a project resource: every list comes from the state or the plan,
so a pipeline added to the environment root joins the rehearsal by itself.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

# Per resource type, the attributes printed by `list` (tab-separated, after the address).
LIST_FIELDS: dict[str, list[str]] = {
    "aws_s3_bucket": ["bucket"],
    "aws_cloudwatch_log_group": ["name", "retention_in_days"],
    "aws_lambda_function": ["function_name"],
    "aws_lambda_invocation": ["function_name"],
    "aws_sfn_state_machine": ["name", "arn"],
    "aws_cloudwatch_event_rule": ["name", "state"],
}

# Attributes the emulator does not store or echoes differently, so the plan after an
# apply shows them as changing although nothing changed in the configuration. Only
# in-place updates of exactly these attributes are tolerated; a create, a replace or
# a destroy in the re-plan always fails the rehearsal. Each entry: why it drifts.
ALLOWED_DRIFT: dict[tuple[str, str], str] = {
    # moto's Lambda keeps no LoggingConfig (GetFunction answers without it).
    ("aws_lambda_function", "logging_config"): "moto stores no Lambda LoggingConfig",
    # moto answers every RDS instance with PerformanceInsightsEnabled false.
    ("aws_db_instance", "performance_insights_enabled"): "moto stores no Performance Insights setting",
    ("aws_rds_cluster_instance", "performance_insights_enabled"): "moto stores no Performance Insights setting",
    # moto's DescribeDBParameters with Source=user returns none of the parameters set.
    ("aws_db_parameter_group", "parameter"): "moto returns no user-set DB parameters",
    # moto answers a provisioned (Serverless v2) cluster with a Serverless v1
    # ScalingConfigurationInfo, which AWS gives only to engine_mode serverless.
    ("aws_rds_cluster", "scaling_configuration"): "moto reports a Serverless v1 scaling configuration",
    # moto's security group rules (DescribeSecurityGroupRules) carry no Description.
    ("aws_vpc_security_group_ingress_rule", "description"): "moto stores no security group rule description",
    ("aws_vpc_security_group_egress_rule", "description"): "moto stores no security group rule description",
    # moto's GetBucketNotificationConfiguration omits EventBridgeConfiguration.
    ("aws_s3_bucket_notification", "eventbridge"): "moto stores no EventBridge notification setting",
}


def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _resources(module: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    if not module:
        return
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _resources(child)


def _managed(state: dict[str, Any]) -> list[dict[str, Any]]:
    root = state.get("values", {}).get("root_module")
    return [r for r in _resources(root) if r.get("mode") == "managed"]


def count(state_path: str) -> int:
    print(len(_managed(_load(state_path))))
    return 0


def list_type(resource_type: str, state_path: str) -> int:
    fields = LIST_FIELDS.get(resource_type)
    if fields is None:
        print(f"tfjson: no fields defined for {resource_type}", file=sys.stderr)
        return 2
    for resource in _managed(_load(state_path)):
        if resource.get("type") != resource_type:
            continue
        values = resource.get("values", {})
        cells = [resource["address"]]
        cells += ["" if values.get(f) is None else str(values.get(f)) for f in fields]
        print("\t".join(cells))
    return 0


def _changed_attributes(change: dict[str, Any]) -> list[str]:
    before = change.get("before") or {}
    after = change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    keys = set(before) | set(after) | set(unknown)
    return sorted(k for k in keys if before.get(k) != after.get(k) or unknown.get(k) not in (None, False))


def replan(plan_path: str) -> int:
    plan = _load(plan_path)
    blocking: list[str] = []
    tolerated: list[str] = []
    for rc in plan.get("resource_changes", []):
        actions = rc.get("change", {}).get("actions", [])
        if actions in (["no-op"], ["read"]):
            continue
        address = rc["address"]
        if actions != ["update"]:
            blocking.append(f"{address}: {'/'.join(actions)}")
            continue
        attributes = _changed_attributes(rc["change"])
        unexpected = [a for a in attributes if (rc["type"], a) not in ALLOWED_DRIFT]
        if unexpected:
            blocking.append(f"{address}: update {', '.join(unexpected)}")
        else:
            tolerated.extend(f"{address}.{a} ({ALLOWED_DRIFT[(rc['type'], a)]})" for a in attributes)
    for line in tolerated:
        print(f"allowed drift: {line}")
    for line in blocking:
        print(f"unexpected change: {line}")
    return 1 if blocking else 0


def _leaves(prefix: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(f"{prefix}.{key}" if prefix else key, child)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(f"{prefix}[{index}]", child)
    elif isinstance(value, str):
        yield prefix, value


def outputs(outputs_path: str) -> int:
    for name, output in _load(outputs_path).items():
        if output.get("sensitive"):
            continue
        for path, value in _leaves(name, output.get("value")):
            print(f"{path}\t{value}")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[1] == "count":
        return count(argv[2])
    if len(argv) == 4 and argv[1] == "list":
        return list_type(argv[2], argv[3])
    if len(argv) == 3 and argv[1] == "replan":
        return replan(argv[2])
    if len(argv) == 3 and argv[1] == "outputs":
        return outputs(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
