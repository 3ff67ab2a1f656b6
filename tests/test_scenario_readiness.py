"""Notebook 00's first steps: the doctor's table and the emulator with the talk's images."""

from __future__ import annotations

import pytest

from tipsim.scenarios.readiness import emulator_check, laptop_checks

pytestmark = pytest.mark.infra


def test_laptop_checks_are_rows_with_a_status_each() -> None:
    rows = laptop_checks()
    assert rows and all(r["status"] in {"ok", "warn", "fail"} for r in rows)
    assert {"name", "status", "detail", "fix"} <= set(rows[0])
    assert any(r["name"].startswith("python") for r in rows)


def test_emulator_check_finds_the_talks_images_by_name(emulator) -> None:
    """A real DescribeImages with name filters: Ubuntu 16.04 and 18.04, nginx 1.14 and 1.16."""
    found = emulator_check(emulator.session)
    assert found.kind in {"localstack", "moto-server", "embedded"}
    assert found.description
    names = found.image_names
    for part in ("xenial-16.04", "bionic-18.04", "nginx-1.14", "nginx-1.16"):
        assert any(part in n for n in names), part
    assert [i["name"] for i in found.images] == sorted(names)
