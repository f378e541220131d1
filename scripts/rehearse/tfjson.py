"""Queries on `terraform show -json` output for the deploy rehearsal.

    python3 tfjson.py count      STATE_JSON       managed resources in the state
    python3 tfjson.py list TYPE  STATE_JSON       one line per resource of TYPE:
                                                  address<TAB>attribute values (see LIST_FIELDS)
    python3 tfjson.py replan     PLAN_JSON        judge a re-plan after apply (exit 0 clean or
                                                  only allow-listed drift, 1 otherwise)
    python3 tfjson.py upgrade    PLAN_JSON        the plan of an upgrade: every planned action by
                                                  resource (moves included), counts, and each delete
                                                  or replace with Terraform's reason (exit 1 if any)
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


# Terraform's action_reason values, as a sentence.
REASONS: dict[str, str] = {
    "replace_because_cannot_update": "an argument that forces replacement changed",
    "replace_because_tainted": "the object is tainted",
    "replace_by_request": "replacement was requested (-replace)",
    "replace_by_triggers": "replace_triggered_by fired",
    "delete_because_no_resource_config": "no resource block at this address any more (a moved block missing?)",
    "delete_because_no_module": "its module call is gone (a moved block for the module missing?)",
    "delete_because_wrong_repetition": "count/for_each was added or removed (a moved block to [0] or [key] missing?)",
    "delete_because_count_index": "its count index is out of range now",
    "delete_because_each_key": "its for_each key is gone",
    "delete_because_no_move_target": "the target of its moved block does not exist",
}


def _path(path: list[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path))


def _value(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def _upgrade_action(rc: dict[str, Any]) -> str:
    actions = rc.get("change", {}).get("actions", [])
    moved = rc.get("previous_address") not in (None, rc["address"])
    if actions in (["delete", "create"], ["create", "delete"]):
        return "replace"
    if actions == ["no-op"]:
        return "move" if moved else ""
    if actions == ["update"] and moved:
        return "move + update"
    return "/".join(a for a in actions if a != "read")


def _upgrade_reason(rc: dict[str, Any], plan: dict[str, Any]) -> str:
    change = rc["change"]
    reason = REASONS.get(rc.get("action_reason", ""), rc.get("action_reason", "no reason given"))
    paths = change.get("replace_paths") or []
    details = []
    for path in paths:
        before, after = change.get("before") or {}, change.get("after") or {}
        for key in path:
            before = before[key] if isinstance(before, (dict, list)) and _has(before, key) else None
            after = after[key] if isinstance(after, (dict, list)) and _has(after, key) else None
        details.append(f"{_path(path)}: {_value(before)} -> {_value(after)}")
    if rc.get("action_reason", "").startswith("delete_because_no_"):
        # The address it most likely moved to: a create of the same type and name.
        created = [
            c["address"]
            for c in plan.get("resource_changes", [])
            if c.get("change", {}).get("actions") == ["create"] and c.get("type") == rc.get("type")
        ]
        same_name = [a for a in created if a.endswith(f".{rc.get('name')}") or f".{rc.get('name')}[" in a]
        candidates = same_name or created
        if candidates:
            details.append("created instead: " + ", ".join(candidates[:4]) + (" ..." if len(candidates) > 4 else ""))
    return reason + ("; " + "; ".join(details) if details else "")


def _has(container: Any, key: Any) -> bool:
    if isinstance(container, dict):
        return key in container
    return isinstance(key, int) and 0 <= key < len(container)


def upgrade(plan_path: str) -> int:
    plan = _load(plan_path)
    rows: list[tuple[str, str, str]] = []
    blocking: list[str] = []
    counts: dict[str, int] = {}
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") == "data":
            continue
        action = _upgrade_action(rc)
        if not action:
            continue
        counts[action] = counts.get(action, 0) + 1
        details = [f"from {rc['previous_address']}"] if "move" in action else []
        if action.endswith("update"):
            # Which arguments change, so a real change stands out from the emulator's drift.
            details += [
                f"{a} (emulator drift)" if (rc["type"], a) in ALLOWED_DRIFT else a
                for a in _changed_attributes(rc["change"])
            ]
        rows.append((rc["address"], action, "; ".join(details)))
        if action in ("delete", "replace"):
            blocking.append(f"{action}: {rc['address']}: {_upgrade_reason(rc, plan)}")
    rows.sort(key=lambda r: (r[1], r[0]))
    if rows:
        width = max(len(r[0]) for r in rows + [("address", "", "")])
        print(f"{'address':<{width}}  {'action':<13}  detail")
        for address, action, detail in rows:
            print(f"{address:<{width}}  {action:<13}  {detail}".rstrip())
    summary = ", ".join(f"{n} {a}" for a, n in sorted(counts.items())) or "no changes"
    print(f"planned: {summary}")
    for line in blocking:
        print(line)
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
    if len(argv) == 3 and argv[1] == "upgrade":
        return upgrade(argv[2])
    if len(argv) == 3 and argv[1] == "outputs":
        return outputs(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
