"""The WSGI application: URL map, dispatch, latency and Dataverse faults."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import control_views, dataverse_views, oauth_views
from .store import DISCOVERY_PATH, ENVIRONMENT_PREFIX

if TYPE_CHECKING:
    from .emulator import Emulator

View = Callable[..., Response]
UNDELAYED_PREFIXES = ("/_emulator/",)
DATAVERSE_PREFIXES = (DISCOVERY_PATH + "/", ENVIRONMENT_PREFIX)
WEB_API = "/env/<name>/api/data/<version>"

RULES: list[tuple[str, list[str], View]] = [
    ("/", ["GET"], control_views.status_page),
    ("/error", ["GET"], oauth_views.error_code),
    ("/login", ["POST"], oauth_views.login),
    ("/consent", ["POST"], oauth_views.consent),
    ("/<tenant>/oauth2/v2.0/authorize", ["GET"], oauth_views.authorize),
    ("/<tenant>/oauth2/v2.0/token", ["POST"], oauth_views.token),
    ("/<tenant>/oauth2/v2.0/logout", ["GET"], oauth_views.logout),
    ("/<tenant>/adminconsent", ["GET"], oauth_views.admin_consent),
    ("/<tenant>/v2.0/adminconsent", ["GET"], oauth_views.admin_consent),
    ("/<tenant>/v2.0/.well-known/openid-configuration", ["GET"], oauth_views.openid_configuration),
    ("/<tenant>/discovery/v2.0/keys", ["GET"], oauth_views.jwks),
    ("/globaldisco/api/discovery/v2.0/<path:rest>", ["GET"], dataverse_views.instances),
    (f"{WEB_API}/WhoAmI", ["GET"], dataverse_views.who_am_i),
    (f"{WEB_API}/WhoAmI()", ["GET"], dataverse_views.who_am_i),
    (f"{WEB_API}/accounts", ["GET"], dataverse_views.accounts),
    (f"{WEB_API}/<path:rest>", ["GET"], dataverse_views.unknown_segment),
    ("/_emulator/state", ["GET"], control_views.state),
    ("/_emulator/reset", ["POST"], control_views.reset),
    ("/_emulator/advance", ["POST"], control_views.advance),
    ("/_emulator/faults", ["GET", "POST"], control_views.faults),
    ("/_emulator/token_requests", ["GET"], control_views.token_requests),
    ("/_emulator/refresh_log", ["GET"], control_views.refresh_log),
    ("/_emulator/users", ["POST"], control_views.add_user),
    ("/_emulator/users/<user>", ["POST"], control_views.update_user),
    ("/_emulator/users/<user>/revoke_sessions", ["POST"], control_views.revoke_sessions),
    (
        "/_emulator/environments/<environment>/users/<user>",
        ["POST", "DELETE"],
        control_views.membership,
    ),
    ("/_emulator/tenants/<tenant>", ["POST"], control_views.update_tenant),
]


def dataverse_fault_body(status: int) -> dict[str, Any]:
    """Dataverse's own bodies: the service protection limit for 429
    (https://learn.microsoft.com/en-us/power-apps/developer/data-platform/api-limits), else a
    generic error."""
    if status == 429:
        message = "Number of requests exceeded the limit of 6000 over time window of 300 seconds."
        return {"error": {"code": "0x80072322", "message": message}}
    return {"error": {"code": "0x80040216", "message": "An unexpected error occurred."}}


class EmulatorApp:
    """WSGI callable serving the authority, Global Discovery and every environment."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.store = emulator.store
        self.url_map = Map(
            [Rule(path, methods=methods, endpoint=view) for path, methods, view in RULES]
        )

    def dispatch(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            view, values = adapter.match()
        except HTTPException as exc:
            return exc.get_response()
        delayed = not request.path.startswith(UNDELAYED_PREFIXES) and request.path != "/"
        if delayed and self.store.latency > 0:
            time.sleep(self.store.latency)
        if request.path.startswith(DATAVERSE_PREFIXES):
            fault = self.store.faults.take("dataverse")
            if fault is not None:
                spoiled = oauth_views.fault_response(request, fault, dataverse_fault_body)
                if spoiled is not None:
                    return spoiled
        return view(self, request, **values)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        return self.dispatch(Request(environ))(environ, start_response)
