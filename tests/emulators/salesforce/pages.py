"""Plain HTML pages: sign-in, Allow/Deny, authorize error and the status page. No JavaScript."""

from __future__ import annotations

import datetime as dt
from html import escape

from .models import App, PendingAuthorization, User

SCOPE_LABELS = {
    "id": "Access the identity URL service (id, profile, email, address, phone)",
    "api": "Manage user data via APIs (api)",
    "refresh_token": "Perform requests at any time (refresh_token, offline_access)",
    "offline_access": "Perform requests at any time (refresh_token, offline_access)",
    "openid": "Access unique user identifiers (openid)",
    "full": "Full access (full)",
    "web": "Manage user data via Web browsers (web)",
}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; background: #f3f3f3;
       color: #181818; margin: 0; }
header { background: #0176d3; color: #fff; padding: 12px 24px; font-size: 15px; }
header strong { font-size: 18px; margin-right: 12px; }
main { max-width: 420px; margin: 40px auto; background: #fff; border: 1px solid #ddd;
       border-radius: 6px; padding: 24px 28px; }
main.wide { max-width: 1100px; }
h1 { font-size: 20px; margin: 0 0 16px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
label { display: block; font-size: 14px; margin: 12px 0 4px; }
input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: 8px;
       font-size: 15px; border: 1px solid #aaa; border-radius: 4px; }
button { margin-top: 18px; padding: 9px 20px; font-size: 15px; border-radius: 4px;
         border: 1px solid #0176d3; background: #0176d3; color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: #0176d3; margin-right: 8px; }
.error { background: #fde8e8; border: 1px solid #ea001e; color: #ba0517; padding: 10px;
         border-radius: 4px; font-size: 14px; }
.muted { color: #666; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #e5e5e5; text-align: left; padding: 5px 6px;
         vertical-align: top; }
code { font-size: 12px; }
"""


def _page(title: str, body: str, header: str = "", wide: bool = False) -> str:
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><strong>Salesforce Emulator</strong>{header}</header>"
        f"<main class='{'wide' if wide else ''}'>{body}</main></body></html>"
    )


def _org_header(app: App) -> str:
    kind = "Sandbox" if app.org.sandbox else "Production"
    return f"{escape(app.org.my_domain_host)} &middot; {kind} (emulated)"


def login_page(pending: PendingAuthorization, error: str | None = None, username: str = "") -> str:
    app = pending.app
    error_html = f"<p class='error' role='alert'>{escape(error)}</p>" if error else ""
    body = f"""
<h1>Log in to {escape(app.org.my_domain)}</h1>
<p class="muted">{escape(app.name)} wants to connect to your org.</p>
{error_html}
<form method="post" action="/login">
  <input type="hidden" name="pending" value="{escape(pending.pending_id)}">
  <label for="username">Username</label>
  <input type="text" id="username" name="username" value="{escape(username)}"
         autocomplete="username">
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password">
  <button type="submit">Log In</button>
</form>"""
    return _page(f"Login | {app.org.my_domain}", body, _org_header(app))


def consent_page(pending: PendingAuthorization, user: User) -> str:
    app = pending.app
    items = "".join(
        f"<li>{escape(SCOPE_LABELS.get(scope, scope))}</li>"
        for scope in dict.fromkeys(pending.scopes)
    )
    body = f"""
<h1>Allow Access?</h1>
<p><strong>{escape(app.name)}</strong> is asking to:</p>
<ul>{items}</ul>
<p class="muted">Signed in as {escape(user.username)} to {escape(app.org.my_domain)}.</p>
<form method="post" action="/services/oauth2/consent">
  <input type="hidden" name="pending" value="{escape(pending.pending_id)}">
  <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
  <button type="submit" name="decision" value="allow">Allow</button>
</form>"""
    return _page(f"Allow Access | {app.org.my_domain}", body, _org_header(app))


def error_page(error: str, description: str) -> str:
    body = f"""
<h1>OAuth Error</h1>
<p class="error">We can't authorize you because of an OAuth error.
For more information, contact your Salesforce administrator.</p>
<p><code>error={escape(error)}</code><br><code>error_description={escape(description)}</code></p>"""
    return _page("OAuth Error", body)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "never"
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _grant_status(grant: dict) -> str:
    if grant["revoked"]:
        return f"revoked: {grant['revoked_reason']}"
    return "expired: idle refresh token TTL passed" if grant["idle_expired"] else "live"


def status_page(state: dict) -> str:
    """The read-only overview at `/`: orgs, apps (secret masked), grants, clock."""
    orgs = _table(
        ["Org ID", "My Domain", "Kind", "Active", "API calls"],
        [
            [
                o["org_id"],
                o["my_domain"],
                "Sandbox" if o["sandbox"] else "Production",
                str(o["active"]),
                str(o["api_calls"]),
            ]
            for o in state["orgs"]
        ],
    )
    apps = _table(
        [
            "App",
            "Org",
            "Consumer key",
            "Secret",
            "Callback URLs",
            "PKCE",
            "Rotation",
            "Idle TTL",
            "IP allowlist",
            "Session timeout",
        ],
        [
            [
                a["name"],
                a["org_id"],
                a["consumer_key"],
                a["consumer_secret_masked"],
                "\n".join(a["callback_urls"]),
                str(a["require_pkce"]),
                str(a["refresh_token_rotation"]),
                "until revoked"
                if a["idle_refresh_token_ttl"] is None
                else f"{a['idle_refresh_token_ttl']:g}s",
                ", ".join(a["ip_allowlist"] or []) or "not enforced",
                f"{a['session_timeout']:g}s",
            ]
            for a in state["apps"]
        ],
    )
    grants = _table(
        ["Grant", "User", "App", "Created", "Last refresh", "Idle expiry", "Rotations", "Status"],
        [
            [
                str(g["grant_id"]),
                g["username"],
                g["app_name"],
                _when(g["created"]),
                _when(g["last_used"]),
                _when(g["idle_expires_at"]),
                str(g["rotation_count"]),
                _grant_status(g),
            ]
            for g in state["grants"]
        ],
    )
    shown = len(state["grants"])
    body = f"""
<h1>Emulator status</h1>
<p class="muted">Base URL <code>{escape(state["base_url"])}</code> &middot; clock
{escape(_when(state["now"]))} (offset {state["clock_offset"]:g}s) &middot; read-only;
JSON at <a href="/_emulator/state">/_emulator/state</a></p>
<h2>Orgs</h2>{orgs}
<h2>External Client Apps</h2>{apps}
<h2>Grants ({state["grant_count"]} total, {state["live_grant_count"]} live;
newest {shown} shown)</h2>
{grants}"""
    return _page("Emulator status", body, wide=True)
