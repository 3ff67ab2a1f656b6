"""The room board: attendees share their results, the room sees the spread.

``tipsim board serve`` runs the board (:mod:`tipsim.board.serve`, the web app in
:mod:`tipsim.board.app`, results kept by :mod:`tipsim.board.storage`); attendees share with
``tipsim run SCENARIO --share URL --token T --name NAME`` or a panel's "Share with the room"
button, both through :func:`tipsim.board.client.share`. Importing this package loads no
web framework.
"""

from __future__ import annotations

from tipsim.board.client import board_from_env, fetch, share

__all__ = ["board_from_env", "fetch", "share"]
