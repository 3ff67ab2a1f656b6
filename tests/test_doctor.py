"""`tipsim doctor`'s checks that need no emulator."""

from __future__ import annotations

import pytest

from tipsim import doctor


@pytest.mark.parametrize(("installed", "status"), [("3.0.16", "ok"), ("3.0.17", "warn"),
                                                   ("3.0.15", "ok")])
def test_doctor_warns_about_the_widgets_release_that_breaks_voila_pages(
        monkeypatch: pytest.MonkeyPatch, installed: str, status: str) -> None:
    monkeypatch.setattr(doctor, "version", lambda name: installed)
    check = doctor.check_widgets()
    assert check.status == status
    assert check.detail.startswith(installed)
    if status == "warn":
        assert '"jupyterlab_widgets<3.0.17"' in check.fix


def test_the_kit_itself_pins_below_the_release_the_doctor_warns_about() -> None:
    from importlib.metadata import version

    from packaging.version import Version

    assert Version(version("jupyterlab_widgets")) < Version(doctor.BAD_WIDGETS)
    assert doctor.check_widgets().status == "ok"
