"""``make present``: every notebook as a Voilà dashboard, behind a landing page of the scenarios.

One Jupyter server, bound to 127.0.0.1 unless ``--host`` names another address (then it
warns), with Voilà as a server extension (a notebook's dashboard is
``/voila/render/NN_name.ipynb``: its code hidden, its widgets live) and this module as a
second extension: the landing page at ``/tipsim``, the server's default URL, one line per
notebook (its title, from its first heading). The URL printed carries a fresh token; the
browser keeps the login for the dashboards the page links to. Ctrl-C stops the server.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
LANDING = "tipsim"
DEFAULT_PORT = 8866  # Voilà's own default


@dataclass(frozen=True)
class Dashboard:
    """A notebook and the one line the landing page shows for it."""

    path: str
    title: str


def dashboards(root: Path = NOTEBOOKS) -> list[Dashboard]:
    """Every ``NN_*.ipynb`` under ``root``, in order, titled by its first markdown heading."""
    out = []
    for nb in sorted(root.glob("[0-9][0-9]_*.ipynb")):
        title = nb.stem.replace("_", " ")
        cells = json.loads(nb.read_text()).get("cells", [])
        for cell in cells:
            if cell.get("cell_type") != "markdown":
                continue
            source = "".join(cell.get("source", []))
            heading = next((ln.lstrip("#").strip() for ln in source.splitlines()
                            if ln.startswith("# ")), None)
            if heading:
                title = heading
                break
        out.append(Dashboard(nb.name, title))
    return out


def landing_html(items: list[Dashboard], base_url: str = "/") -> str:
    """The landing page: one line, one link per dashboard."""
    lines = "\n".join(
        f'  <li><a href="{html.escape(base_url)}voila/render/{html.escape(d.path)}">'
        f"{html.escape(d.title)}</a></li>" for d in items)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tipsim: the talk's scenarios</title>
<link rel="icon" href="data:,">
<style>body {{ font-family: system-ui, sans-serif; margin: 2rem; }}
li {{ margin: .6rem 0; font-size: 1.2rem; }}</style></head>
<body><h1>Test in production, without paying for staging</h1>
<p>Each scenario of the talk as a live dashboard (opening one runs it: a few seconds).</p>
<ul class="tipsim-dashboards">
{lines}
</ul></body></html>
"""


# --- the Jupyter server extension (loaded inside the server process) --------------------------
def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "tipsim.present"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    import tornado.web
    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.utils import url_path_join

    root = Path(serverapp.root_dir)

    class LandingHandler(JupyterHandler):
        @tornado.web.authenticated
        def get(self) -> None:
            self.finish(landing_html(dashboards(root), self.base_url))

    base = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(".*$", [(url_path_join(base, LANDING), LandingHandler)])


# --- the launcher ------------------------------------------------------------------------------
def server_command(host: str, port: int, token: str, root: Path = NOTEBOOKS) -> list[str]:
    cmd = [sys.executable, "-m", "jupyter", "server", "--no-browser", f"--ip={host}",
           f"--port={port}", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}",
           f"--ServerApp.default_url=/{LANDING}", f"--IdentityProvider.token={token}",
           "--ServerApp.jpserver_extensions=voila=True",
           "--ServerApp.jpserver_extensions=tipsim.present=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def main(argv: list[str] | None = None) -> int:
    from tipsim.emulator.guard import is_loopback

    parser = argparse.ArgumentParser(prog="python -m tipsim.present", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8866)")
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        print(f"[tipsim] WARNING: presenting on {args.host}, not loopback: anyone on this "
              "network with the URL's token can open the dashboards and run their code.")
    token = secrets.token_hex(16)
    from tipsim.lab import jupyter_env, serve  # Voila's template without CDN links

    shown = f"[{args.host}]" if ":" in args.host else args.host

    def ready() -> None:
        names = ", ".join(d.path for d in dashboards())
        print(f"\n[tipsim] presenter mode: the scenarios as dashboards ({names}).\n"
              f"[tipsim] Open: http://{shown}:{args.port}/{LANDING}?token={token}\n"
              "[tipsim] Ctrl-C stops it.\n", flush=True)

    probe_host = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    try:
        return serve(server_command(args.host, args.port, token), jupyter_env(os.environ),
                     probe_host, args.port, "the dashboard server", ready)
    finally:
        print("[tipsim] presenter mode stopped.", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
