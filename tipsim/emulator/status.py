"""What ``tipsim emulator status`` and the doctor report: which emulator, since when, what it holds."""

from __future__ import annotations

import time
from typing import Any

from tipsim.emulator.probe import probe
from tipsim.emulator.session import EmulatorSession

# A cheap read call per service: (client name, operation, result key counted).
SERVICE_PROBES: dict[str, tuple[str, str, str]] = {
    "ec2": ("ec2", "describe_vpcs", "Vpcs"),
    "elb": ("elb", "describe_load_balancers", "LoadBalancerDescriptions"),
    "route53": ("route53", "list_hosted_zones", "HostedZones"),
    "s3": ("s3", "list_buckets", "Buckets"),
    "lambda": ("lambda", "list_functions", "Functions"),
    "kafka": ("kafka", "list_clusters", "ClusterInfoList"),
    "emr": ("emr", "list_clusters", "Clusters"),
    "eks": ("eks", "list_clusters", "clusters"),
}


def service_counts(session: EmulatorSession) -> dict[str, Any]:
    """Per service: how many resources it holds, or why it did not answer."""
    from botocore.exceptions import BotoCoreError, ClientError

    out: dict[str, Any] = {}
    for name, (client_name, op, key) in SERVICE_PROBES.items():
        try:
            resp = getattr(session.client(client_name), op)()
            out[name] = len(resp.get(key, []))
        except ClientError as exc:
            code = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            out[name] = f"unavailable (HTTP {code})"
        except BotoCoreError as exc:
            out[name] = f"unavailable ({type(exc).__name__})"
    try:
        ec2 = session.client("ec2")
        res = ec2.describe_instances(
            Filters=[{"Name": "instance-state-name", "Values": ["pending", "running"]}]
        )
        out["ec2_instances"] = sum(len(r["Instances"]) for r in res["Reservations"])
    except Exception:  # noqa: BLE001 - a count is optional in a status report
        pass
    return out


def status(port: int = 4566) -> dict[str, Any]:
    """Status of whatever answers on 127.0.0.1:``port``."""
    from tipsim.emulator.server import read_state

    url = f"http://127.0.0.1:{port}"
    found = probe(url)
    info: dict[str, Any] = {"endpoint_url": url, "kind": found.kind}
    if found.kind == "localstack":
        info.update(kind="localstack", version=found.version)
    elif found.kind == "moto":
        state = read_state(port) or {}
        info.update(kind="moto-server (tipsim embedded)", version=state.get("version", ""),
                    pid=state.get("pid"))
        if state.get("started_at"):
            info["uptime_s"] = round(time.time() - float(state["started_at"]), 1)
    else:
        info["hint"] = ("nothing answers here: `tipsim emulator start` starts the shared "
                        "emulator" if found.kind == "none" else
                        f"port {port} is held by something that is not an AWS emulator")
        return info
    info["resources"] = service_counts(EmulatorSession(url))
    return info
