"""Dataverse: Global Discovery (`{base}/globaldisco/api/discovery/v2.0/Instances`) and each
environment's Web API (`{base}/env/{name}/api/data/v9.x/…`): WhoAmI and a few accounts.

https://learn.microsoft.com/en-us/power-apps/developer/data-platform/discovery-service
https://learn.microsoft.com/en-us/power-apps/developer/data-platform/webapi/reference/whoami
https://learn.microsoft.com/en-us/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .clock import iso
from .models import AccessToken, Environment
from .responses import json_response

if TYPE_CHECKING:
    from .app import EmulatorApp

ODATA_HEADERS = {"OData-Version": "4.0"}
VERSION = re.compile(r"^v9\.[0-2]$")
INSTANCE_KEY = re.compile(r"^Instances\((?:UniqueName=)?'?([^')]+)'?\)$")
ACCOUNT_FIELDS = ("accountid", "name", "accountnumber")
ACCOUNT_COUNT = 10


def dataverse_error(status: int, code: str, message: str) -> Response:
    """Dataverse's error body: `{"error": {"code": "0x…", "message": "…"}}`."""
    body = {"error": {"code": code, "message": message}}
    return json_response(body, status=status, headers=ODATA_HEADERS)


def not_member() -> Response:
    return dataverse_error(403, "0x80072560", "The user is not a member of the organization.")


def _challenge(ctx: EmulatorApp, resource: str, tenant: str) -> Response:
    """401 with the bearer challenge that names the authority and the resource to ask for."""
    header = (
        f"Bearer authorization_uri={ctx.store.base_url}/{tenant}/oauth2/authorize, "
        f"resource_id={resource}/"
    )
    return Response(b"", status=401, headers={"WWW-Authenticate": header})


def _bearer(
    ctx: EmulatorApp, request: Request, resource: str, tenant: str
) -> AccessToken | Response:
    """The live access token for exactly this resource, else the 401 challenge."""
    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    store = ctx.store
    with store.lock:
        token = store.access_tokens.get(value.strip()) if scheme.lower() == "bearer" else None
    if (
        token is None
        or token.resource != resource
        or store.clock.now() >= token.expires_at
        or (tenant != "common" and token.user.tenant.tenant_id != tenant)
    ):
        return _challenge(ctx, resource, tenant)
    return token


# Global Discovery --------------------------------------------------------------------------------


def _instance(ctx: EmulatorApp, environment: Environment, admin: bool) -> dict[str, Any]:
    url = ctx.store.environment_url(environment)
    return {
        "Id": environment.organization_id,
        "UniqueName": environment.unique_name,
        "UrlName": environment.unique_name,
        "FriendlyName": environment.friendly_name,
        "State": 0,
        "Version": environment.version,
        "Url": url,
        "ApiUrl": url,
        "LastUpdated": iso(ctx.store.clock.now()).replace(" ", "T"),
        "EnvironmentId": environment.environment_id,
        "TenantId": environment.tenant.tenant_id,
        "Region": environment.region,
        "Purpose": environment.purpose,
        "OrganizationType": 0,
        "IsUserSysAdmin": admin,
        "TrialExpirationDate": None,
    }


def instances(ctx: EmulatorApp, request: Request, rest: str = "Instances") -> Response:
    """GET Instances or Instances(UniqueName='x'): only environments of the token's tenant where
    the user has an enabled systemuser (disabled users are left out; no access = empty list)."""
    store = ctx.store
    token = _bearer(ctx, request, store.discovery_url, "common")
    if isinstance(token, Response):
        return token
    user = token.user
    with store.lock:
        reachable = [
            env
            for env in store.environments.values()
            if env.tenant is user.tenant and (m := env.members.get(user.oid)) and m.enabled
        ]
    context = f"{store.discovery_url}/api/discovery/v2.0/$metadata#Instances"
    if rest == "Instances":
        body = {
            "@odata.context": context,
            "value": [_instance(ctx, e, user.admin) for e in reachable],
        }
        return json_response(body, headers=ODATA_HEADERS)
    match = INSTANCE_KEY.match(rest)
    key = match.group(1) if match else None
    found = next((e for e in reachable if key in (e.unique_name, e.organization_id)), None)
    if found is None:
        return dataverse_error(404, "0x80040217", f"Resource not found for the segment '{rest}'.")
    body = {"@odata.context": context + "/$entity", **_instance(ctx, found, user.admin)}
    return json_response(body, headers=ODATA_HEADERS)


# Environment Web API -----------------------------------------------------------------------------


def _member_token(ctx: EmulatorApp, request: Request, name: str, version: str):
    """(environment, token, member) or an error Response: 404, 401 challenge, 403 not a member."""
    environment = ctx.store.environments.get(name)
    if environment is None or not VERSION.match(version):
        return dataverse_error(
            404, "0x80060888", f"Resource not found for the segment '{version}'."
        )
    resource = ctx.store.environment_url(environment)
    token = _bearer(ctx, request, resource, environment.tenant.tenant_id)
    if isinstance(token, Response):
        return token
    member = environment.members.get(token.user.oid)
    if member is None or not member.enabled:
        return not_member()
    return environment, token, member


def who_am_i(ctx: EmulatorApp, request: Request, name: str, version: str) -> Response:
    """GET WhoAmI: BusinessUnitId, UserId (the systemuser), OrganizationId."""
    found = _member_token(ctx, request, name, version)
    if isinstance(found, Response):
        return found
    environment, _token, member = found
    base = f"{ctx.store.environment_url(environment)}/api/data/{version}"
    body = {
        "@odata.context": f"{base}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
        "BusinessUnitId": environment.business_unit_id,
        "UserId": member.system_user_id,
        "OrganizationId": environment.organization_id,
    }
    return json_response(body, headers=ODATA_HEADERS)


def accounts(ctx: EmulatorApp, request: Request, name: str, version: str) -> Response:
    """GET accounts[?$top=N&$select=f1,f2]: ten fixed accounts per environment."""
    found = _member_token(ctx, request, name, version)
    if isinstance(found, Response):
        return found
    environment = found[0]
    try:
        top = int(request.args.get("$top", ACCOUNT_COUNT))
    except ValueError:
        return dataverse_error(400, "0x0", "Invalid value for $top.")
    fields = [f for f in request.args.get("$select", ",".join(ACCOUNT_FIELDS)).split(",") if f]
    unknown = [f for f in fields if f not in ACCOUNT_FIELDS]
    if unknown:
        message = (
            f"Could not find a property named '{unknown[0]}' on type "
            "'Microsoft.Dynamics.CRM.account'."
        )
        return dataverse_error(400, "0x0", message)
    namespace = uuid.UUID(environment.organization_id)
    rows = []
    for number in range(1, min(top, ACCOUNT_COUNT) + 1):
        record = {
            "accountid": str(uuid.uuid5(namespace, f"account-{number}")),
            "name": f"{environment.friendly_name} Account {number:02d}",
            "accountnumber": f"ACC-{number:04d}",
        }
        rows.append({"@odata.etag": f'W/"{1000 + number}"', **{f: record[f] for f in fields}})
    base = f"{ctx.store.environment_url(environment)}/api/data/{version}"
    body = {"@odata.context": f"{base}/$metadata#accounts({','.join(fields)})", "value": rows}
    return json_response(body, headers=ODATA_HEADERS)


def unknown_segment(
    ctx: EmulatorApp, request: Request, name: str, version: str, rest: str
) -> Response:
    """Any other Web API path: the token is checked first, then 404 for the segment."""
    found = _member_token(ctx, request, name, version)
    if isinstance(found, Response):
        return found
    segment = rest.split("/")[0].split("(")[0]
    return dataverse_error(404, "0x8006088a", f"Resource not found for the segment '{segment}'.")
