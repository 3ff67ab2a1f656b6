"""Which AWS services the emulator in use offers, so a stack degrades visibly.

LocalStack's free edition answers HTTP 501 for classic ELB, EMR, MSK and EKS
(ENVIRONMENT-NOTES.md); without Docker it lists Lambda functions but cannot prepare
new ones (they turn ``Failed`` and cannot be deleted: see
:func:`tipsim.emulator.localstack_runtime.lambda_runtime_problem`); moto 5.2 offers
them all but maps Lambda only to SQS, DynamoDB and Kinesis sources, not to Kafka.
Resources whose service is missing are *simulated only*: the plan says so, and the
engine never calls that service for them (no read, no create, no delete).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tipsim.infra.handler import http_status

# A cheap read call per service: (client, operation, kwargs).
PROBES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "ec2": ("ec2", "describe_vpcs", {"MaxResults": 5}),
    "elb": ("elb", "describe_load_balancers", {}),
    "route53": ("route53", "list_hosted_zones", {}),
    "iam": ("iam", "list_roles", {"MaxItems": 1}),
    "s3": ("s3", "list_buckets", {}),
    "lambda": ("lambda", "list_functions", {"MaxItems": 1}),
    "kafka": ("kafka", "list_clusters", {}),
    "emr": ("emr", "list_clusters", {}),
    "eks": ("eks", "list_clusters", {}),
}

MOTO_KAFKA_MAPPING = ("moto maps Lambda only to SQS, DynamoDB and Kinesis sources, not to "
                      "Kafka: the consumer's event source mapping is simulated only")


@dataclass
class Capabilities:
    """Per service: available or not, and why not; plus which emulator answered."""

    emulator: str
    kind: str
    available: dict[str, bool] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def has(self, service: str) -> bool:
        return bool(self.available.get(service, False))

    def why_not(self, service: str) -> str:
        return self.reasons.get(service, f"{service} is not available on {self.emulator}")

    def to_dict(self) -> dict[str, Any]:
        return {"emulator": self.emulator, "kind": self.kind, "available": dict(self.available),
                "simulated_only": {k: self.why_not(k) for k, v in self.available.items()
                                   if not v}}

    def without(self, *services: str, reason: str = "") -> Capabilities:
        """A copy with some services marked missing (to rehearse LocalStack on moto)."""
        avail = {**self.available, **dict.fromkeys(services, False)}
        if "kafka" in services:
            avail["lambda_kafka_mapping"] = False
        why = {**self.reasons, **{s: reason or f"{s} marked unavailable" for s in services}}
        return Capabilities(self.emulator, self.kind, avail, why)


def _probe(session: Any, service: str) -> tuple[bool, str]:
    client_name, op, kwargs = PROBES[service]
    try:
        getattr(session.client(client_name), op)(**kwargs)
        return True, ""
    except ClientError as exc:
        code = http_status(exc)
        return False, f"{service} answered HTTP {code}: not in this emulator"
    except BotoCoreError as exc:
        return False, f"{service} did not answer ({type(exc).__name__})"


def detect(session: Any) -> Capabilities:
    """Ask the emulator behind ``session`` which services it offers."""
    info = getattr(session, "info", None)
    kind = getattr(info, "kind", "unknown") or "unknown"
    where = info.describe() if info is not None and hasattr(info, "describe") else str(session)
    caps = Capabilities(where, kind)
    if kind in ("embedded", "moto-server"):
        caps.available = dict.fromkeys(PROBES, True)  # moto implements every one of them
    else:
        for service in PROBES:
            ok, why = _probe(session, service)
            caps.available[service] = ok
            if not ok:
                caps.reasons[service] = why
        if kind == "localstack" and caps.has("lambda"):
            from tipsim.emulator.localstack_runtime import lambda_runtime_problem

            problem = lambda_runtime_problem(session)
            if problem:  # it lists functions, but a new one could never be deleted again
                caps.available["lambda"] = False
                caps.reasons["lambda"] = f"lambda: {problem}"
    if kind in ("embedded", "moto-server"):
        caps.available["lambda_kafka_mapping"] = False
        caps.reasons["lambda_kafka_mapping"] = MOTO_KAFKA_MAPPING
    else:
        caps.available["lambda_kafka_mapping"] = caps.has("kafka") and caps.has("lambda")
        if not caps.available["lambda_kafka_mapping"]:
            caps.reasons["lambda_kafka_mapping"] = ("no MSK on this emulator: the consumer's "
                                                    "event source mapping is simulated only")
    return caps
