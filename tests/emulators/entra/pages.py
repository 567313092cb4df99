"""Plain HTML pages: sign-in, consent, "Need admin approval", admin consent, errors and status."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from .models import PendingSignIn, User

PERMISSION_LABELS = {
    "resource": "Access Dynamics 365 as organization users",
    "offline_access": "Maintain access to data you have given it access to",
    "openid": "Sign you in and read your profile",
    "profile": "Sign you in and read your profile",
    "email": "View your email address",
}

STYLE = """
body { font-family: "Segoe UI", system-ui, sans-serif; background: #f2f2f2; color: #1b1b1b;
       margin: 0; }
header { background: #fff; border-bottom: 1px solid #ddd; padding: 10px 24px; font-size: 15px; }
header strong { color: #0067b8; margin-right: 10px; }
main { max-width: 440px; margin: 40px auto; background: #fff; padding: 32px 40px;
       box-shadow: 0 2px 6px rgba(0,0,0,.2); }
main.wide { max-width: 1150px; }
h1 { font-size: 24px; font-weight: 600; margin: 0 0 16px; }
h2 { font-size: 17px; margin: 26px 0 8px; }
label { display: block; font-size: 15px; margin: 14px 0 4px; }
input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: 6px 0;
       font-size: 15px; border: 0; border-bottom: 1px solid #666; }
button { margin-top: 20px; min-width: 108px; padding: 7px 12px; font-size: 15px; border: 0;
         background: #0067b8; color: #fff; cursor: pointer; }
button.secondary { background: #ccc; color: #000; margin-right: 8px; }
.error { color: #e81123; font-size: 14px; }
.muted { color: #666; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #e5e5e5; text-align: left; padding: 4px 6px;
         vertical-align: top; }
code { font-size: 12px; }
"""


def _page(title: str, body: str, wide: bool = False) -> str:
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        "<header><strong>Microsoft Entra ID + Dataverse Emulator</strong>not Microsoft</header>"
        f"<main class='{'wide' if wide else ''}'>{body}</main></body></html>"
    )


def _hidden(pending: PendingSignIn) -> str:
    return f'<input type="hidden" name="pending" value="{escape(pending.pending_id)}">'


def login_page(pending: PendingSignIn, message: str | None = None, username: str = "") -> str:
    what = "grant admin consent for" if pending.kind == "adminconsent" else "continue to"
    error = f"<p class='error' role='alert'>{escape(message)}</p>" if message else ""
    body = f"""
<h1>Sign in</h1>
<p class="muted">to {what} {escape(pending.app.name)}</p>
{error}
<form method="post" action="/login">
  {_hidden(pending)}
  <label for="username">Email</label>
  <input type="text" id="username" name="username" value="{escape(username)}"
         autocomplete="username">
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password">
  <button type="submit">Sign in</button>
</form>"""
    return _page("Sign in to your account", body)


def consent_page(pending: PendingSignIn, user: User) -> str:
    labels = [PERMISSION_LABELS["resource"]]
    labels += [PERMISSION_LABELS[s] for s in pending.scopes if s in PERMISSION_LABELS]
    items = "".join(f"<li>{escape(label)}</li>" for label in dict.fromkeys(labels))
    for_org = (
        '<label><input type="checkbox" name="for_organization" value="1"> '
        "Consent on behalf of your organization</label>"
        if user.admin
        else ""
    )
    body = f"""
<p class="muted">{escape(user.username)}</p>
<h1>Permissions requested</h1>
<p><strong>{escape(pending.app.name)}</strong><br><span class="muted">unverified</span></p>
<p>This app would like to:</p>
<ul>{items}</ul>
<form method="post" action="/consent">
  {_hidden(pending)}
  {for_org}
  <button type="submit" name="decision" value="cancel" class="secondary">Cancel</button>
  <button type="submit" name="decision" value="accept">Accept</button>
</form>"""
    return _page("Permissions requested", body)


def blocked_page(pending: PendingSignIn, user: User) -> str:
    body = f"""
<p class="muted">{escape(user.username)}</p>
<h1>Need admin approval</h1>
<p><strong>{escape(pending.app.name)}</strong></p>
<p>{escape(pending.app.name)} needs permission to access resources in your organization that only
an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>
<form method="post" action="/consent">
  {_hidden(pending)}
  <button type="submit" name="decision" value="blocked">Return to the application without
  granting consent</button>
</form>"""
    return _page("Need admin approval", body)


def admin_consent_page(pending: PendingSignIn, user: User) -> str:
    body = f"""
<p class="muted">{escape(user.username)}</p>
<h1>Permissions requested</h1>
<p><strong>Accept for your organization</strong></p>
<p><strong>{escape(pending.app.name)}</strong> would like to:</p>
<ul><li>{escape(PERMISSION_LABELS["resource"])}</li></ul>
<p class="muted">If you accept, this app will get access to the specified resources for all users
in your organization ({escape(user.tenant.domain)}).</p>
<form method="post" action="/consent">
  {_hidden(pending)}
  <button type="submit" name="decision" value="cancel" class="secondary">Cancel</button>
  <button type="submit" name="decision" value="accept">Accept</button>
</form>"""
    return _page("Permissions requested", body)


def error_page(fields: dict[str, Any]) -> str:
    body = f"""
<h1>Sign in</h1>
<p>Sorry, but we're having trouble signing you in.</p>
<p class="error" role="alert">{escape(fields["error_description"].split(chr(13))[0])}</p>
<p class="muted">Request Id: {escape(fields["trace_id"])}<br>
Correlation Id: {escape(fields["correlation_id"])}<br>
Timestamp: {escape(fields["timestamp"])}</p>"""
    return _page("Sign in to your account", body)


def signed_out_page() -> str:
    return _page("Sign out", "<h1>You signed out of your account</h1>")


def error_code_page(code: str) -> str:
    link = "https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes"
    body = f"""
<h1>AADSTS{escape(code)}</h1>
<p>See Microsoft's <a href="{link}">Entra authentication and authorization error codes</a>.</p>"""
    return _page(f"AADSTS{code}", body)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "never"
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def status_page(state: dict[str, Any]) -> str:
    """The read-only overview at `/` (secrets masked, tokens by fingerprint)."""
    tenants = _table(
        ["Tenant ID", "Domain", "User consent", "Admin-consented apps", "Refresh token lifetime"],
        [
            [
                t["tenant_id"],
                t["domain"],
                "allowed" if t["user_consent_allowed"] else "blocked",
                ", ".join(t["admin_consented"]) or "none",
                f"{t['refresh_token_lifetime'] / 86400:g} days",
            ]
            for t in state["tenants"]
        ],
    )
    apps = _table(
        ["App", "Client ID", "Secret", "Redirect URIs", "PKCE"],
        [
            [
                a["name"],
                a["client_id"],
                a["client_secret_masked"],
                "\n".join(a["redirect_uris"]),
                "S256 required" if a["require_pkce"] else "optional (S256 only)",
            ]
            for a in state["apps"]
        ],
    )
    users = _table(
        [
            "User",
            "Object ID",
            "Admin",
            "Enabled",
            "Interaction required",
            "Tokens valid from",
            "Consented apps",
        ],
        [
            [
                u["username"],
                u["oid"],
                str(u["admin"]),
                str(u["account_enabled"]),
                str(u["interaction_required"]),
                _when(u["tokens_valid_from"] or None),
                ", ".join(u["consented"]) or "none",
            ]
            for u in state["users"]
        ],
    )
    environments = _table(
        ["Environment", "URL", "Organization ID", "Members (enabled)"],
        [
            [
                e["unique_name"],
                e["url"],
                e["organization_id"],
                ", ".join(
                    f"{m['username']} ({'yes' if m['enabled'] else 'no'})" for m in e["members"]
                ),
            ]
            for e in state["environments"]
        ],
    )
    tokens = _table(
        ["Refresh token", "Chain", "Generation", "User", "Issued", "Expires", "Uses", "Status"],
        [
            [
                r["fingerprint"],
                str(r["session_id"]),
                str(r["generation"]),
                r["username"],
                _when(r["issued_at"]),
                _when(r["expires_at"]),
                str(r["uses"]),
                r["status"],
            ]
            for r in state["refresh_tokens"]
        ],
    )
    body = f"""
<h1>Emulator status</h1>
<p class="muted">Authority <code>{escape(state["authority"])}</code> &middot; Global Discovery
<code>{escape(state["discovery_url"])}</code> &middot; clock {escape(_when(state["now"]))}
(offset {state["clock_offset"]:g}s, reported skew {state["clock_skew"]:g}s) &middot; read-only;
JSON at <a href="/_emulator/state">/_emulator/state</a></p>
<h2>Tenants</h2>{tenants}
<h2>App registrations</h2>{apps}
<h2>Users</h2>{users}
<h2>Dataverse environments</h2>{environments}
<h2>Refresh tokens ({state["refresh_token_count"]} issued; newest shown first)</h2>{tokens}
<h2>Pending faults</h2><p><code>{escape(str(state["faults"]))}</code></p>"""
    return _page("Emulator status", body, wide=True)
