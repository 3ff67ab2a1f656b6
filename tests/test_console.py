"""Information lines read as information: stderr in a terminal (stdout stays for --json),
normal output in a notebook (JupyterLab draws stderr in a red box, Voila hides it)."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from tipsim.console import info


def test_an_information_line_goes_to_stderr_outside_a_notebook(capsys) -> None:
    info("tipsim: using embedded moto")
    out, err = capsys.readouterr()
    assert (out, err) == ("", "tipsim: using embedded moto\n")


@pytest.mark.slow
def test_in_a_notebook_the_emulator_line_is_normal_output_not_a_red_box() -> None:
    """The kernel's first emulator connection announces the emulator it uses (here an
    embedded one: nothing listens at the test run's LOCALSTACK_HOST) on stdout."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from tipsim.console import info\ninfo('hello')"),
                nbformat.v4.new_code_cell("from tipsim.emulator import connect\n"
                                          "session = connect()")]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    streams = [(o["name"], o["text"]) for c in nb.cells for o in c.outputs
               if o["output_type"] == "stream"]
    assert ("stdout", "hello\n") in streams
    assert any(name == "stdout" and text.startswith("tipsim: ") and "using embedded" in text
               for name, text in streams), streams
    assert not [text for name, text in streams if name == "stderr"], streams
