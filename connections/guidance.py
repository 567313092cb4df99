"""What the connection page and the API tell an admin after Test connection and Refresh now,
from a connection's status and a refresh's ErrorKind. A provider's own errors are turned into
Guidance (connections.errors) by the provider (``connections.providers.<name>.guidance``);
nothing here reads a provider's error texts.
"""

from . import providers
from .errors import ErrorKind
from .models import Connection

# --- Messages of the connection page's actions (Test connection, Refresh now) -----------

# The labels keepalive puts before a failed refresh's reason ("Misconfigured: ...").
RESULT_LABELS = {
    ErrorKind.TRANSIENT: "Temporary failure",
    ErrorKind.MISCONFIGURED: "Misconfigured",
    ErrorKind.NEEDS_REAUTHORIZATION: "Needs re-authorization",
}
_EMAILED = "the team's owners and admins get an email about it"


def not_connected(connection: Connection) -> str:
    """Why a connection has no usable tokens and which button fixes it, from its status
    (the caller re-reads it first: a concurrent refresh may have changed it)."""
    Status = Connection.Status
    label = providers.for_connection(connection).label
    if connection.status == Status.MISCONFIGURED:
        return (
            f"The connection is misconfigured: {connection.status_reason} Orgkeeper retries "
            "every hour; once that is fixed, you can also click Refresh now."
        )
    if connection.status == Status.NEEDS_REAUTHORIZATION:
        return (
            f"The connection needs re-authorization: {label} no longer accepts its refresh "
            f"token. Click Re-authorize and sign in to {label}."
        )
    if connection.status == Status.DISCONNECTED:
        return (
            "The connection is disconnected: Orgkeeper holds no tokens for it. Click "
            f"Re-authorize and sign in to {label} to connect it again."
        )
    if connection.status == Status.CONNECTED:
        return "The connection is connected; try again."
    button = "Re-authorize" if connection.organization_id else "Connect"
    return f"The connection isn't connected yet. Click {button} and sign in to {label}."


def refresh_failed(
    kind: ErrorKind | None, message: str, connection: Connection, status_before: str
) -> str:
    """What a failed refresh (a ``keepalive.RefreshResult``'s ``kind`` and ``message``) did to
    the connection and what to do. ``connection`` is re-read by the caller; ``status_before``
    is its status before."""
    prefix = RESULT_LABELS.get(kind, "")
    why = message.removeprefix(f"{prefix}: ") if prefix else message
    label = providers.for_connection(connection).label
    changed = connection.status != status_before
    if kind == ErrorKind.NEEDS_REAUTHORIZATION:
        state = (
            f"The connection now needs re-authorization, and {_EMAILED}."
            if changed
            else "The connection still needs re-authorization."
        )
        return f"{state} Click Re-authorize and sign in to {label}. Why: {why}"
    if kind == ErrorKind.MISCONFIGURED:
        state = (
            f"The connection is now misconfigured, and {_EMAILED}."
            if changed
            else "The connection is still misconfigured."
        )
        return (
            f"{state} What to fix: {why} Orgkeeper retries every hour and recovers by itself "
            "once that is fixed; you can also click Refresh now after fixing it."
        )
    return (
        f"{label} couldn't refresh the tokens right now: {why} The connection stays "
        "connected and Orgkeeper retries by itself; try again in a few minutes."
    )
