"""A provider for tests, registered through the registry's public mechanism (the
CONNECTION_PROVIDERS setting) with no change to the core: the smallest complete provider.
Its "server" is in memory: codes and refresh tokens it issued, and the calls it got."""

from datetime import timedelta

from django.utils import timezone

from connections.providers.base import (
    Credentials,
    Grant,
    Identity,
    InvalidGrant,
    Policies,
    Provider,
)

ORGANIZATION_ID = "f1f1f1f1-0000-4000-8000-00000000fake"
LIFETIME = timedelta(minutes=75)


class Fake(Provider):
    """Refresh tokens that don't rotate (the old one stays valid), ``expires_in`` in every
    token response, no per-token revoke and no approvals limit: Entra ID's rules."""

    name = "fake"
    label = "Fake ID"
    policies = Policies(
        refresh_token_rotates=False,
        refresh_token_idle_ttl=90 * 24 * 3600,
        token_response_has_expires_in=True,
        has_per_token_revoke=False,
    )
    default_environment = "default"

    def __init__(self):
        self.calls: list[tuple[str, str]] = []
        self.refresh_tokens: set[str] = set()

    def login_url(self, environment: str, my_domain_url: str = "") -> str:
        return f"https://login.fake.example/{environment}"

    def authorization_url(self, endpoint, client_id, redirect_uri, state, code_verifier) -> str:
        return f"{endpoint}/authorize?client_id={client_id}&state={state}"

    def _grant(self, number: int) -> Grant:
        now = timezone.now()
        refresh_token = f"fake-refresh-token-{number}"
        self.refresh_tokens.add(refresh_token)
        return Grant(
            access_token=f"fake-access-token-{number}",
            refresh_token=refresh_token,
            instance_url="https://org.fake.example",
            issued_at=now,
            expires_at=now + LIFETIME,
            scope="offline_access user_impersonation",
            provider_data={"tenant": ORGANIZATION_ID},
        )

    def exchange_code(self, endpoint, credentials: Credentials, code, redirect_uri, verifier):
        self.calls.append(("exchange_code", credentials.consumer_key))
        return self._grant(len(self.calls))

    def identity(self, grant: Grant) -> Identity:
        return Identity(ORGANIZATION_ID, "user-1", "admin@fake.example")

    def refresh(self, endpoint, credentials: Credentials, refresh_token, timeout) -> Grant:
        self.calls.append(("refresh", credentials.consumer_key))
        if refresh_token not in self.refresh_tokens:
            raise InvalidGrant("unknown refresh token", error="invalid_grant", status=400)
        return self._grant(len(self.calls))

    def revoke(self, endpoint: str, token: str) -> None:
        raise AssertionError("The fake provider has no per-token revoke.")

    def probe(self, instance_url: str, access_token: str) -> object:
        self.calls.append(("probe", access_token))
        return {"ok": True}


provider = Fake()
