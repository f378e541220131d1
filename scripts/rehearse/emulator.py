"""AWS emulator for the deploy rehearsal: moto's server mode, patched where moto
lacks what the hashicorp/aws provider calls.

    python3 scripts/rehearse/emulator.py PORT_FILE [DELIVERY_LOG]

Starts moto's ThreadedMotoServer on 127.0.0.1 with a port the kernel picks (port 0,
so two rehearsals never race for one), writes that port to PORT_FILE once the
server answers, then serves until SIGTERM/SIGINT. With DELIVERY_LOG, every event
EventBridge delivers to a Lambda target is appended there as one JSON line. Every request is logged to stderr
by werkzeug; the rehearsal keeps that log in its temporary directory.

Each patch below names the gap it fills. None of them hides a project resource:
the provider still creates, reads and deletes every resource against moto; the
patches only supply answers moto does not give at all, or gives wrongly.
"""

from __future__ import annotations

import copy
import itertools
import json
import signal
import sys
import threading
from typing import Any

from moto.awslambda.utils import get_backend as get_lambda_backend
from moto.core.config import default_user_config
from moto.events.models import Rule
from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.core.responses import ActionResult
from moto.rds.exceptions import DBClusterNotFoundError
from moto.rds.models import DBCluster, DBInstance
from moto.rds.responses import RDSResponse
from moto.s3.models import FakeBucket
from moto.stepfunctions.responses import StepFunctionResponse
from moto.utilities.arns import parse_arn


def _patch_lambda_without_docker() -> None:
    # moto runs Lambda code only inside Docker containers, which rehearsal machines
    # do not have (and CI must not need). Its "simple" Lambda backend keeps every
    # API (create, configure, permissions, invoke) but answers Invoke without
    # running code. aws_lambda_invocation resources (the *-migrate functions run on
    # apply) therefore succeed without executing the migration; the rehearsal
    # prints each of them as "not executed" from the state, so nothing is hidden.
    default_user_config["lambda"] = {"use_docker": False}


def _patch_step_functions() -> None:
    # hashicorp/aws 5.100 calls states:ValidateStateMachineDefinition before it creates
    # or updates a state machine, and states:ListStateMachineVersions whenever it reads
    # one. moto's Step Functions responses implement neither (the server answers HTTP
    # 500 with an HTML page): "validating Step Functions State Machine definition" and
    # "listing Step Functions State Machine (...) Versions" fail the apply. The
    # definition is still stored by CreateStateMachine and compared by the re-plan; its
    # validity against AWS is not checked here (the ASL is run by the local Step
    # Functions adapter in the test suite instead).
    def validate_state_machine_definition(self: StepFunctionResponse) -> str:
        return json.dumps({"result": "OK", "diagnostics": [], "truncated": False})

    # No versions: the modules publish none (aws_sfn_state_machine's publish defaults
    # to false), so an empty list is also what AWS answers for them.
    def list_state_machine_versions(self: StepFunctionResponse) -> str:
        return json.dumps({"stateMachineVersions": []})

    StepFunctionResponse.validate_state_machine_definition = (  # type: ignore[attr-defined]
        validate_state_machine_definition
    )
    StepFunctionResponse.list_state_machine_versions = (  # type: ignore[attr-defined]
        list_state_machine_versions
    )


def _patch_rds_resource_ids() -> None:
    # moto gives every DB instance the same DbiResourceId ("db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U").
    # hashicorp/aws 5.x uses that id as aws_db_instance's id and reads the instance back
    # by it (DescribeDBInstances filtered on dbi-resource-id), so with more than one DB
    # instance in the account (batch-scheduler's instance, and the Aurora cluster's
    # writer and reader, which are DB instances too) a read matches several and the
    # apply fails with "reading RDS DB Instance (...): couldn't find resource". Give each
    # instance a unique id of the same shape.
    counter = itertools.count(1)
    original_init = DBInstance.__init__

    def init(self: DBInstance, *args: object, **kwargs: object) -> None:
        original_init(self, *args, **kwargs)
        self.dbi_resource_id = f"db-REHEARSAL{next(counter):016d}"

    DBInstance.__init__ = init  # type: ignore[method-assign]


def _patch_rds_data_api() -> None:
    # Aurora PostgreSQL and MySQL clusters (Serverless v2 and provisioned) take the RDS
    # Data API: EnableHttpEndpoint at create, or the EnableHttpEndpoint action later.
    # moto keeps the rules of 2020 (Data API only on Serverless v1 with a few engine
    # versions): CreateDBCluster silently drops EnableHttpEndpoint, so every re-plan
    # wants enable_http_endpoint false -> true, and the EnableHttpEndpoint action the
    # provider then calls is not implemented (HTTP 500: "enabling HTTP endpoint for RDS
    # Cluster (...)"). Here the flag is kept for Aurora clusters of engine mode
    # provisioned, and Enable/DisableHttpEndpoint set it.
    original = DBCluster.enable_http_endpoint

    def set_enable_http_endpoint(self: DBCluster, val: bool | None) -> None:
        original.fset(self, val)  # type: ignore[misc]
        aurora = self.engine in ("aurora-postgresql", "aurora-mysql")
        if val is not None and aurora and self.engine_mode == "provisioned":
            self._enable_http_endpoint = bool(val)

    DBCluster.enable_http_endpoint = property(original.fget, set_enable_http_endpoint)  # type: ignore[method-assign]

    def set_http_endpoint(response: RDSResponse, enabled: bool) -> ActionResult:
        arn = response.params.get("ResourceArn")
        for cluster in response.backend.clusters.values():
            if cluster.db_cluster_arn == arn:
                cluster.enable_http_endpoint = enabled
                return ActionResult({"ResourceArn": arn, "HttpEndpointEnabled": cluster.http_endpoint_enabled})
        raise DBClusterNotFoundError(str(arn))

    RDSResponse.enable_http_endpoint = lambda self: set_http_endpoint(self, True)  # type: ignore[attr-defined]
    RDSResponse.disable_http_endpoint = lambda self: set_http_endpoint(self, False)  # type: ignore[attr-defined]


def _is_insecure_transport_only(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, dict) or list(condition) != ["Bool"]:
        return False
    values = condition["Bool"]
    if not isinstance(values, dict) or list(values) != ["aws:SecureTransport"]:
        return False
    value = values["aws:SecureTransport"]
    return value in ("false", ["false"], False, [False])


def _patch_s3_secure_transport() -> None:
    # moto enforces bucket policies but ignores their conditions ("Conditions are not
    # taken into account", moto.s3.models.put_bucket_policy), so the s3-bucket module's
    # TLS-only statement (Deny s3:* when aws:SecureTransport is "false") denies every
    # object call, including the ones terraform destroy makes to empty a bucket. Every
    # call Terraform and the AWS CLI make to AWS uses TLS, where that condition is
    # false and the statement never applies; the emulator listens on plain HTTP on
    # loopback. So a statement whose only condition is aws:SecureTransport = false is
    # left out of the evaluation; every other statement is evaluated as moto does.
    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        # moto's FakeBucket.get_permission, evaluating a filtered copy of the policy.
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy.decode())
        statements = document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        kept = [s for s in statements if not _is_insecure_transport_only(s)]
        policy = IAMPolicy(json.dumps({**document, "Statement": kept}))
        return policy.is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]


def _patch_events_lambda_targets(delivery_log: str | None) -> None:
    # moto's EventBridge delivers to log groups, SQS, archives and buses only: a rule
    # whose target is a Lambda function makes PutEvents raise NotImplementedError (an
    # HTTP 500), so the runbook's manual trigger could not even be sent. Here a
    # matching event for a Lambda target is checked against the emulator's functions
    # (the target must exist) and recorded in DELIVERY_LOG instead of running code
    # (which moto cannot do without Docker); the rehearsal reads that log to prove the
    # documented event reaches the function. Other targets go through moto unchanged.
    original = Rule.send_to_targets
    lock = threading.Lock()

    def send_to_targets(self: Rule, original_event: Any, transform_input: bool = True) -> None:
        def is_lambda(target: dict[str, Any]) -> bool:
            return parse_arn(target["Arn"]).service == "lambda"

        lambda_targets = [t for t in self.targets if is_lambda(t)]
        if lambda_targets and self.event_pattern.matches_event(original_event):
            for target in lambda_targets:
                arn = parse_arn(target["Arn"])
                function = get_lambda_backend(arn.account, arn.region).get_function(target["Arn"])
                record = {
                    "rule": self.name,
                    "target": target["Arn"],
                    "function": function.function_name,
                    "source": original_event.get("source"),
                    "detail-type": original_event.get("detail-type"),
                    "detail": original_event.get("detail"),
                }
                if delivery_log:
                    with lock, open(delivery_log, "a", encoding="utf-8") as handle:
                        handle.write(json.dumps(record) + "\n")
        others = [t for t in self.targets if not is_lambda(t)]
        if others:
            # A shallow copy that sees only the other targets, so concurrent requests
            # never observe a rule with its targets swapped out.
            view = copy.copy(self)
            view.targets = others
            original(view, original_event, transform_input)

    Rule.send_to_targets = send_to_targets  # type: ignore[method-assign]


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print("usage: emulator.py PORT_FILE [DELIVERY_LOG]", file=sys.stderr)
        return 2
    port_file = sys.argv[1]
    delivery_log = sys.argv[2] if len(sys.argv) == 3 else None

    _patch_lambda_without_docker()
    _patch_step_functions()
    _patch_rds_resource_ids()
    _patch_rds_data_api()
    _patch_s3_secure_transport()
    _patch_events_lambda_targets(delivery_log)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    # Written last, and atomically enough for the reader (one short write): the port
    # file appearing means the server accepts connections.
    with open(port_file, "w", encoding="utf-8") as handle:
        handle.write(f"{port}\n")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
