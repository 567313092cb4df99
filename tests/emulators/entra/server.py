"""The `python -m tests.emulators.entra` command line."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .emulator import Emulator


def describe(emulator: Emulator) -> str:
    """The banner: what a person needs to point Orgkeeper at the emulator."""
    store = emulator.store
    lines = [
        f"Entra ID + Dataverse emulator running at {emulator.base_url}",
        f"  Status page:         {emulator.base_url}/",
        f"  DYNAMICS_AUTHORITY:  {emulator.authority}",
        f"  Global Discovery:    {emulator.discovery_url}",
    ]
    for tenant in store.tenants.values():
        lines.append(f"  Tenant:              {tenant.domain} ({tenant.tenant_id})")
    for app in store.apps.values():
        lines += [
            f"  App:                 {app.name}",
            f"    DYNAMICS_CLIENT_ID:     {app.client_id}",
            f"    DYNAMICS_CLIENT_SECRET: {app.client_secret}",
            f"    Redirect URIs:          {', '.join(app.redirect_uris)}",
        ]
    for user in store.users.values():
        role = "admin, can grant admin consent" if user.admin else "user"
        lines.append(f"  User:                {user.username} / password {user.password} ({role})")
    for environment in store.environments.values():
        members = ", ".join(store.users[oid].username for oid in environment.members)
        lines.append(
            f"  Environment:         {store.environment_url(environment)}   "
            f"({environment.friendly_name}; Dataverse users: {members or 'none'})"
        )
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from .config import demo_config, read_config_file
    from .emulator import Emulator

    parser = argparse.ArgumentParser(
        prog="python -m tests.emulators.entra",
        description="A strict local Microsoft Entra ID + Dataverse for Dynamics connections.",
    )
    parser.add_argument("--port", type=int, default=8883, help="0 picks a free port (default 8883)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--config", help="JSON file with tenants, users, apps, environments")
    parser.add_argument(
        "--callback-url",
        action="append",
        dest="callback_urls",
        metavar="URL",
        help="replace the demo app's redirect URIs (repeatable; demo config only)",
    )
    parser.add_argument("--base-url", help="URL clients use to reach this server")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if args.config and args.callback_urls:
        print("--callback-url only applies to the demo configuration", file=sys.stderr)
        return 2
    config = read_config_file(args.config) if args.config else demo_config(args.callback_urls)
    emulator = Emulator(config, verbose=args.verbose)
    emulator.start(args.host, args.port, base_url=args.base_url)
    print(describe(emulator), flush=True)
    try:
        emulator.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0
