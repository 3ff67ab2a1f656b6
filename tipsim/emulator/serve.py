"""Entry point of the shared background emulator process (``tipsim emulator start``).

Runs a moto server on 127.0.0.1:PORT until SIGTERM or SIGINT; its health route says
``role: shared`` and this process's pid.
"""

from __future__ import annotations

import argparse
import signal
import threading

from tipsim.emulator.embedded import InProcessEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tipsim.emulator.serve")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = InProcessEmulator(port=args.port, role="shared")
    print(f"tipsim emulator: moto server on {server.endpoint_url}", flush=True)
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
