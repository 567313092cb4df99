"""The `python -m tests.emulators.salesforce` CLI."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.emulators.salesforce",
        description="A strict local Salesforce: OAuth web-server flow, refresh, identity, limits.",
    )
    parser.add_argument("--port", type=int, default=8882, help="0 picks a free port (default 8882)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--config", help="JSON file with orgs, users and apps (see README.md)")
    parser.add_argument(
        "--callback-url",
        action="append",
        dest="callback_urls",
        metavar="URL",
        help="replace the demo app's callback URLs (repeatable; demo config only)",
    )
    parser.add_argument(
        "--base-url", help="URL clients use to reach this server (default http://HOST:PORT)"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser


def describe(emulator: Any) -> str:
    """What a person needs to connect Orgkeeper to this emulator."""
    lines = [
        f"Salesforce emulator running at {emulator.base_url}",
        f"  Status page:     {emulator.base_url}/",
        f"  My Domain URL:   {emulator.base_url}   (enter it as the org's My Domain URL)",
    ]
    for app in emulator.store.apps.values():
        lines += [
            f"  App:             {app.name} (org {app.org.org_id}, My Domain {app.org.my_domain})",
            f"    Consumer key:    {app.consumer_key}",
            f"    Consumer secret: {app.consumer_secret}",
            f"    Callback URLs:   {', '.join(app.callback_urls)}",
            f"    IP allowlist:    {', '.join(app.ip_allowlist or []) or 'not enforced'}",
        ]
    for user in emulator.store.users.values():
        lines.append(
            f"  User:            {user.username} / password {user.password} (org {user.org.org_id})"
        )
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from .config import demo_config, read_config_file
    from .emulator import Emulator

    args = build_parser().parse_args(argv)
    if args.config and args.callback_urls:
        print("--callback-url only applies to the demo configuration", file=sys.stderr)
        return 2
    config = read_config_file(args.config) if args.config else demo_config(args.callback_urls)
    emulator = Emulator(config, verbose=args.verbose)
    emulator.start(args.host, args.port, base_url=args.base_url)
    print(describe(emulator), flush=True)
    try:
        emulator.wait()
    finally:
        emulator.stop()
    return 0
