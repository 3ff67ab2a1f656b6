"""Is the learner's laptop ready? The kit's doctor, the emulator it talks to, the talk's images.

Notebook 00 starts here: :func:`laptop_checks` is ``tipsim doctor`` as a table (Python,
packages, the AWS emulator, the JupyterLab extensions, Chromium), and :func:`emulator_check`
connects to the emulator every notebook uses (LocalStack, the shared moto server, or moto
started in this process) and looks up the talk's machine images by name, as Terraform's
``data "aws_ami"`` does, with a real ``DescribeImages`` call.

Example
-------
>>> found = emulator_check()                 # doctest: +SKIP
>>> found.kind in {"localstack", "moto-server", "embedded"}      # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from tipsim.doctor import run_checks
from tipsim.emulator import connect

TALK_IMAGE_NAMES = ("ubuntu/images/hvm-ssd/ubuntu-*", "bitnami-nginx-*")
"""Name filters of the talk's images: Ubuntu 16.04 / 18.04, nginx 1.14 / 1.16."""


@dataclass(frozen=True)
class EmulatorCheck:
    """Which emulator answered, and the images it holds that match the talk's filters."""

    kind: str
    description: str
    images: list[dict[str, str]]

    @property
    def image_names(self) -> set[str]:
        """Names of the images found."""
        return {i["name"] for i in self.images}


def laptop_checks() -> list[dict[str, str]]:
    """``tipsim doctor``'s checks, one row each: ``name``, ``status`` (``ok``, ``warn`` or
    ``fail``), ``detail`` and ``fix``."""
    return [asdict(c) for c in run_checks()]


def emulator_check(session: Any = None,
                   name_filters: tuple[str, ...] = TALK_IMAGE_NAMES) -> EmulatorCheck:
    """Connect to the emulator (``session``; default: the one the kit finds or starts) and
    look the talk's images up by name.

    Returns
    -------
    EmulatorCheck
        ``kind`` (``localstack``, ``moto-server`` or ``embedded``), a one-line description,
        and the images (``name``, ``image id``, ``created``) sorted by name.
    """
    session = session if session is not None else connect()
    ec2 = session.client("ec2")
    found = ec2.describe_images(Filters=[{"Name": "name", "Values": list(name_filters)}])
    images = sorted(({"name": i["Name"], "image id": i["ImageId"],
                      "created": i["CreationDate"][:10]} for i in found["Images"]),
                    key=lambda row: row["name"])
    return EmulatorCheck(kind=session.info.kind, description=session.info.describe(),
                         images=images)
