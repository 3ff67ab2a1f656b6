"""The command line: one useful line for a bad value, the full list only on request."""

from __future__ import annotations

import subprocess
import sys


def _tipsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tipsim", *args], capture_output=True,
                          text=True, timeout=120)


def test_bad_value_prints_one_line_and_where_to_find_the_rest() -> None:
    """Issue 15: the one useful line first and alone; --list-params for the full list."""
    done = _tipsim("run", "canary", "--set", "dns_ttl_s=-5")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2
    assert len(lines) <= 3
    assert lines[0].startswith("tipsim: dns_ttl_s='-5' is not allowed")
    assert "--list-params" in done.stderr
    assert "valid parameters" not in done.stderr


def test_list_params_shows_every_parameter_with_its_range() -> None:
    done = _tipsim("run", "canary", "--list-params")
    assert done.returncode == 0
    assert "dns_ttl_s: a number >= 0.0 and <= 3600.0" in done.stdout
