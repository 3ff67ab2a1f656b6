"""What ``tipsim emulator status`` and the doctor report: which emulator, since when, what it holds."""

from __future__ import annotations

import time
from typing import Any

from tipsim.emulator.probe import ProbeResult
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


def describe_kit_emulator(found: ProbeResult) -> str:
    """One line naming the kit's emulator: "tipsim's shared emulator (moto 5.2.5, pid 4242)"."""
    role = found.role or "shared"
    ver = f"moto {found.version}, " if found.version else ""
    return f"tipsim's {role} emulator ({ver}pid {found.pid})"


def status(port: int = 4566) -> dict[str, Any]:
    """Status of whatever answers on 127.0.0.1:``port``."""
    from tipsim.emulator.server import read_state, recognise, state_dir, state_file

    url = f"http://127.0.0.1:{port}"
    found = recognise(url)
    info: dict[str, Any] = {"endpoint_url": url, "kind": found.kind}
    if found.kind == "localstack":
        info.update(kind="localstack", name=f"LocalStack {found.version}".strip(),
                    version=found.version)
    elif found.kind == "tipsim":
        info.update(kind=f"moto-server (tipsim {found.role or 'shared'})",
                    name=describe_kit_emulator(found), version=found.version, pid=found.pid)
        started_at = found.identity.get("started_at")
        if started_at:
            info["uptime_s"] = round(time.time() - float(started_at), 1)
        info["state_file"] = (str(state_file(port)) if read_state(port) else
                              f"none in {state_dir()} (started with another TIPSIM_STATE_DIR)")
        if found.note:
            info["note"] = found.note
    elif found.kind == "moto":
        info.update(kind="moto-server (not started by tipsim)",
                    name="a moto server that tipsim did not start")
    else:
        info["hint"] = ("nothing answers here: `tipsim emulator start` starts the shared "
                        "emulator" if found.kind == "none" else
                        f"port {port} is held by something that is not an AWS emulator")
        return info
    info["resources"] = service_counts(EmulatorSession(url))
    return info
