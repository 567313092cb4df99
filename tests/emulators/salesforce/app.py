"""The WSGI application: URL map, dispatch, per-call latency, and the request log."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import api_views, control_views, data_views, oauth_views
from .store import Store

if TYPE_CHECKING:
    from .emulator import Emulator

View = Callable[..., Response]

# Control and status routes never get the artificial latency; everything else does.
UNDELAYED_PREFIXES = ("/_emulator/",)
# Salesforce answers unknown REST paths and methods with JSON, never an HTML page.
REST_PREFIXES = ("/services/data/", "/services/apexrest/")

RULES: list[tuple[str, list[str], View]] = [
    ("/", ["GET"], control_views.status_page),
    ("/services/oauth2/authorize", ["GET"], oauth_views.authorize),
    ("/login", ["POST"], oauth_views.login),
    ("/services/oauth2/consent", ["POST"], oauth_views.consent),
    ("/services/oauth2/token", ["POST"], oauth_views.token),
    ("/services/oauth2/revoke", ["GET", "POST"], oauth_views.revoke),
    ("/services/oauth2/userinfo", ["GET", "POST"], api_views.userinfo),
    ("/id/<org_id>/<user_id>", ["GET", "POST"], api_views.identity),
    ("/services/data/", ["GET"], api_views.versions),
    ("/services/data/<version>/", ["GET"], data_views.directory),
    ("/services/data/<version>/limits", ["GET"], api_views.limits),
    ("/services/data/<version>/query", ["GET"], data_views.query),
    ("/services/data/<version>/queryAll", ["GET"], data_views.query),
    ("/services/data/<version>/sobjects/", ["GET"], data_views.sobjects),
    ("/services/data/<version>/sobjects/<name>/describe", ["GET"], data_views.describe),
    ("/services/data/<version>/search", ["GET"], data_views.search),
    ("/services/data/<version>/recent", ["GET"], data_views.recent),
    *(
        (f"/services/data/<version>/<any({resource}):resource>", ["GET"], data_views.sub_directory)
        for resource in data_views.SUB_DIRECTORIES
    ),
    ("/_emulator/state", ["GET"], control_views.state),
    ("/_emulator/reset", ["POST"], control_views.reset),
    ("/_emulator/advance", ["POST"], control_views.advance),
    ("/_emulator/faults", ["GET", "POST"], control_views.faults),
    ("/_emulator/requests", ["GET"], control_views.requests_log),
    ("/_emulator/grants", ["POST"], control_views.mint_grants),
    ("/_emulator/revoke_grants", ["POST"], control_views.revoke_grants),
    ("/_emulator/users/<user_id>", ["POST"], control_views.update_user),
    ("/_emulator/orgs/<org_id>", ["POST"], control_views.update_org),
    ("/_emulator/apps", ["POST"], control_views.add_app),
    ("/_emulator/apps/<consumer_key>", ["POST"], control_views.update_app),
]


class EmulatorApp:
    """WSGI callable serving every emulated host path from one base URL."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.store: Store = emulator.store
        self.url_map = Map(
            [
                Rule(path, methods=methods, endpoint=view, strict_slashes=False)
                for path, methods, view in RULES
            ]
        )

    def dispatch(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            view, values = adapter.match()
        except NotFound as exc:
            if request.path.startswith(REST_PREFIXES):
                return data_views.not_found()
            return exc.get_response()
        except MethodNotAllowed as exc:
            if request.path.startswith(REST_PREFIXES):
                return data_views.method_not_allowed(request.method, exc.valid_methods or [])
            return exc.get_response()
        except HTTPException as exc:
            return exc.get_response()
        # The token view sleeps inside its own processing window instead.
        delayed = view is not oauth_views.token and not request.path.startswith(UNDELAYED_PREFIXES)
        if delayed and self.store.latency > 0:
            time.sleep(self.store.latency)
        return view(self, request, **values)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        return self.dispatch(request)(environ, start_response)
