"""The resource types the engine knows: one handler per type."""

from __future__ import annotations

from tipsim.infra.handler import Handler
from tipsim.infra.handlers_compute import ClassicElbHandler, InstanceHandler
from tipsim.infra.handlers_data import (
    EmrClusterHandler,
    IamRoleHandler,
    MskClusterHandler,
    S3BucketHandler,
)
from tipsim.infra.handlers_dns import HostedZoneHandler, RecordHandler
from tipsim.infra.handlers_eks import EksClusterHandler, EksNodeGroupHandler
from tipsim.infra.handlers_lambda import EventSourceMappingHandler, LambdaFunctionHandler
from tipsim.infra.handlers_network import (
    InternetGatewayHandler,
    RouteTableAssociationHandler,
    RouteTableHandler,
    SubnetHandler,
    VpcHandler,
)
from tipsim.infra.handlers_security_group import SecurityGroupHandler

HANDLERS: dict[str, Handler] = {h.type_name: h for h in (
    VpcHandler(), SubnetHandler(), InternetGatewayHandler(), RouteTableHandler(),
    RouteTableAssociationHandler(), SecurityGroupHandler(), InstanceHandler(),
    ClassicElbHandler(), HostedZoneHandler(), RecordHandler(), IamRoleHandler(),
    S3BucketHandler(), LambdaFunctionHandler(), EventSourceMappingHandler(),
    MskClusterHandler(), EmrClusterHandler(), EksClusterHandler(), EksNodeGroupHandler(),
)}
