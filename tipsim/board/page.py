"""The board page: which metrics it shows first for each scenario, and the HTML that carries them.

The page itself is static (``static/board.html`` and ``static/board.js``); the server fills in
one JSON block (token, scenarios, key metrics, poll interval). Everything attendees sent is
drawn by the script with ``textContent`` and escaped before it reaches a chart, and the page's
Content-Security-Policy allows scripts from the board only, so a name such as
``<img src=x onerror=...>`` shows as text.
"""

from __future__ import annotations

import html
import importlib.util
import json
import urllib.parse
from pathlib import Path
from typing import Any

from tipsim.scenarios import SCENARIOS

STATIC = Path(__file__).parent / "static"
POLL_S = 2.0
"""How often the page asks for new results (polling survives flaky Wi-Fi better than a stream)."""

# Dotted paths into ``tipsim run NAME --json``: the questions a facilitator asks the room
# ("who got a rollback?", "how many failed requests did your strategy cost?"). The page
# offers every other number and label of the results after these.
KEY_METRICS: dict[str, list[str]] = {
    "queue": ["mean_wait_s", "utilisation"],
    "feature-toggle": ["failed_requests", "affected_users", "slo_breach_minutes",
                       "time_to_detect_s"],
    "canary": ["decision", "failed_requests", "affected_users", "decision_time_s"],
    "node-groups": ["failed_requests", "exposure_pod_seconds", "migration_time_s",
                    "affected_users"],
    "data-lake-ab": ["cheaper.winner", "faster.winner", "a.latency_p95_s", "b.latency_p95_s",
                     "a.cost_usd_per_hour", "b.cost_usd_per_hour"],
    "burn-rate": ["first_page_s", "error_budget_used", "budget_exhausted_s"],
    "staging-vs-production": ["approaches.staging.infra_cost_usd_per_month",
                              "approaches.staging.error_budget_used_per_month",
                              "approaches.canary.error_budget_used_per_month",
                              "approaches.staging.defects_escaped"],
}

CSP = ("default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "style-src 'self' 'unsafe-inline'; font-src 'self' data:; base-uri 'none'; "
       "form-action 'none'; frame-ancestors 'none'")
"""Scripts only from the board itself (no inline script, no CDN); plotly injects styles."""


def plotly_js_path() -> Path:
    """plotly.js as the installed plotly package ships it (no CDN: venue Wi-Fi is flaky)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the plotly package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"


def page_config(token: str) -> dict[str, Any]:
    return {"token": token, "scenarios": sorted(SCENARIOS), "key_metrics": KEY_METRICS,
            "poll_ms": int(POLL_S * 1000)}


def render_page(token: str) -> str:
    """The board's HTML with its configuration as an inert JSON block."""
    config = json.dumps(page_config(token))
    # "</script>" inside the block would end it: "<" can only occur inside JSON strings,
    # where "\\u003c" means the same character.
    config = config.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    token_query = html.escape(urllib.parse.quote(token, safe=""))
    page = (STATIC / "board.html").read_text()
    return page.replace("{{CONFIG_JSON}}", config).replace("{{TOKEN_QUERY}}", token_query)
