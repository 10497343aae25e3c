"""`corridor app`: start the Streamlit web app on this machine.

Unknown options after ``corridor app`` are passed to ``streamlit run`` unchanged, so any Streamlit
server flag works (``corridor app --port 8600 --server.address 0.0.0.0``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

#: The app's entry point script.
APP_MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"


def streamlit_command(*, port: int | None, extra: list[str]) -> list[str]:
    """The ``streamlit run`` command line for the app.

    Parameters
    ----------
    port : int or None
        Server port (``--server.port``); Streamlit's default 8501 when None.
    extra : list of str
        Further Streamlit flags, passed through as given.
    """
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP_MAIN)]
    if port is not None:
        cmd += ["--server.port", str(port)]
    return cmd + list(extra)


def run_app(args: argparse.Namespace) -> int:
    """Handler of ``corridor app``: run Streamlit in the foreground until interrupted."""
    if not APP_MAIN.is_file():
        raise FileNotFoundError(f"app entry point not found: {APP_MAIN}")
    if args.port is not None and not 1 <= args.port <= 65535:
        raise ValueError(f"--port: {args.port} is not a TCP port; use 1-65535")
    cmd = streamlit_command(port=args.port, extra=list(getattr(args, "extra", [])))
    print("corridor app: " + " ".join(cmd[2:]), file=sys.stderr, flush=True)
    if os.name == "posix":
        # Become the Streamlit server, so signals (Ctrl-C, SIGTERM) reach it directly.
        os.execv(cmd[0], cmd)
    try:  # pragma: no cover - Windows has no exec; run it as a child instead
        return subprocess.call(cmd)
    except KeyboardInterrupt:  # pragma: no cover
        return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``corridor app`` to the sub-commands."""
    parser = sub.add_parser(
        "app",
        help="start the web app (Streamlit); other Streamlit flags pass through",
        description=(
            "Start the Streamlit web app. Options not listed here are passed to "
            "`streamlit run` (e.g. --server.address 0.0.0.0 --server.headless true)."
        ),
    )
    parser.add_argument("--port", type=int, default=None, help="server port (default 8501)")
    parser.set_defaults(handler=run_app)
