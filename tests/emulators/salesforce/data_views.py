"""REST data resources under ``/services/data/vNN.N/``: the resource directory, SOQL query,
describeGlobal, sObject describe, search, recent items, and the tooling, composite and analytics
directories; plus Salesforce's JSON answers for unknown paths and methods.

Every response carries ``Sforce-Limit-Info: api-usage=<used>/<max>``, as Salesforce's do.
Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_list.htm
and https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from . import soql
from .api_views import DAILY_API_REQUESTS, NOT_FOUND, VERSION_SEGMENT, _authenticate_rest
from .models import AccessToken
from .oauth_views import json_response
from .records import SOBJECTS

if TYPE_CHECKING:
    from .app import EmulatorApp

# The directory's entries that the emulator serves (`identity` is the absolute identity URL).
DIRECTORY = (
    "sobjects",
    "query",
    "queryAll",
    "search",
    "limits",
    "recent",
    "tooling",
    "composite",
    "analytics",
)
SUB_DIRECTORIES = {
    "tooling": ("query", "sobjects", "search"),
    "composite": ("batch", "tree", "sobjects", "graph"),
    "analytics": ("dashboards", "reports"),
}


def rest_json(access: AccessToken, data: Any, status: int = 200) -> Response:
    """A JSON REST answer with the org's API usage in ``Sforce-Limit-Info``."""
    response = json_response(data, status=status)
    used = access.grant.user.org.api_calls
    response.headers["Sforce-Limit-Info"] = f"api-usage={used}/{DAILY_API_REQUESTS}"
    return response


def _session(ctx: EmulatorApp, request: Request, version: str) -> AccessToken | Response:
    if not VERSION_SEGMENT.fullmatch(version):
        return json_response(NOT_FOUND, status=404)
    return _authenticate_rest(ctx, request)


def directory(ctx: EmulatorApp, request: Request, version: str) -> Response:
    """GET /services/data/vNN.N/: the resources available in this version.
    Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_discoveryresource.htm
    """
    access = _session(ctx, request, version)
    if isinstance(access, Response):
        return access
    prefix = f"/services/data/{version}"
    resources = {name: f"{prefix}/{name}" for name in DIRECTORY}
    resources["identity"] = ctx.store.identity_url(access.grant.user)
    return rest_json(access, resources)


def query(ctx: EmulatorApp, request: Request, version: str) -> Response:
    """GET /services/data/vNN.N/query?q=SOQL (and queryAll): ``totalSize``, ``done`` and
    ``records``, each with ``attributes`` (type, url). A refused query answers 400
    ``[{"message", "errorCode"}]``.
    Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
    """
    access = _session(ctx, request, version)
    if isinstance(access, Response):
        return access
    try:
        parsed = soql.parse(request.args.get("q", ""))
    except soql.QueryError as error:
        return rest_json(access, [{"message": error.message, "errorCode": error.code}], 400)
    rows = parsed.run()
    if not parsed.fields:  # COUNT(): the count in totalSize, no records
        return rest_json(access, {"totalSize": len(rows), "done": True, "records": []})
    name = parsed.sobject.name
    records = [
        {
            "attributes": {
                "type": name,
                "url": f"/services/data/{version}/sobjects/{name}/{row['Id']}",
            },
            **{field.name: row[field.name] for field in parsed.fields},
        }
        for row in rows
    ]
    return rest_json(access, {"totalSize": len(records), "done": True, "records": records})


def sobjects(ctx: EmulatorApp, request: Request, version: str) -> Response:
    """GET /services/data/vNN.N/sobjects/ (describeGlobal)."""
    access = _session(ctx, request, version)
    if isinstance(access, Response):
        return access
    return rest_json(
        access,
        {
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [sobject.summary(version) for sobject in SOBJECTS.values()],
        },
    )


def describe(ctx: EmulatorApp, request: Request, version: str, name: str) -> Response:
    """GET /services/data/vNN.N/sobjects/<name>/describe; an unknown type is NOT_FOUND."""
    access = _session(ctx, request, version)
    if isinstance(access, Response):
        return access
    sobject = SOBJECTS.get(name.casefold())
    if sobject is None:
        return rest_json(access, NOT_FOUND, 404)
    return rest_json(access, sobject.describe(version))


def search(ctx: EmulatorApp, request: Request, version: str) -> Response:
    """GET /services/data/vNN.N/search?q=FIND {...}: no emulated record is searchable, so a
    SOSL search finds nothing; a string that isn't ``FIND ...`` is MALFORMED_SEARCH.
    Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_search.htm
    """
    access = _session(ctx, request, version)
    if isinstance(access, Response):
        return access
    sosl = request.args.get("q", "").strip()
    if not sosl.upper().startswith("FIND "):
        message = "No search term found. The search term must be enclosed in braces."
        return rest_json(access, [{"message": message, "errorCode": "MALFORMED_SEARCH"}], 400)
    return rest_json(access, {"searchRecords": []})


def recent(ctx: EmulatorApp, request: Request, version: str) -> Response:
    """GET /services/data/vNN.N/recent: recently viewed items (none in the emulator)."""
    access = _session(ctx, request, version)
    if isinstance(access, Response):
        return access
    return rest_json(access, [])


def sub_directory(ctx: EmulatorApp, request: Request, version: str, resource: str) -> Response:
    """GET /services/data/vNN.N/{tooling,composite,analytics}: their resource directories
    (the resources they list are not emulated and answer NOT_FOUND)."""
    access = _session(ctx, request, version)
    if isinstance(access, Response):
        return access
    prefix = f"/services/data/{version}/{resource}"
    return rest_json(access, {name: f"{prefix}/{name}" for name in SUB_DIRECTORIES[resource]})


def not_found() -> Response:
    """Salesforce's JSON answer to a REST path it doesn't have (never an HTML page)."""
    return json_response(NOT_FOUND, status=404)


def method_not_allowed(method: str, allowed: list[str]) -> Response:
    """Salesforce's JSON answer to a method the resource doesn't support."""
    allowed_text = ",".join(sorted(allowed))
    message = f"HTTP Method '{method}' not allowed. Allowed are {allowed_text}"
    response = json_response([{"errorCode": "METHOD_NOT_ALLOWED", "message": message}], 405)
    response.headers["Allow"] = ", ".join(sorted(allowed))
    return response
