"""API representations. None of them has a field for a refresh token or consumer secret."""

from collections.abc import Mapping

from django.conf import settings
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from connections import providers
from connections.models import Connection, TokenSet

TOKEN_VERSION_MAX = 2**31 - 1  # TokenSet.generation is a PositiveIntegerField


class ConnectionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="code", read_only=True)
    provider = serializers.SerializerMethodField()
    # Every provider's values, so the schema keeps its EnvironmentEnum.
    environment = serializers.ChoiceField(choices=providers.environment_choices(), read_only=True)
    org_id = serializers.CharField(source="organization_id", read_only=True)
    last_refreshed_at = serializers.DateTimeField(
        source="tokens.refreshed_at", read_only=True, allow_null=True
    )
    refresh_token_expires_at = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Connection
        fields = [
            "id",
            "name",
            "provider",
            "environment",
            "status",
            "status_reason",
            "org_id",
            "instance_url",
            "username",
            "last_refreshed_at",
            "next_refresh_at",
            "refresh_token_expires_at",
            "created",
            "updated",
            "url",
        ]
        read_only_fields = fields

    def _tokens(self, connection: Connection) -> TokenSet | None:
        try:
            return connection.tokens
        except TokenSet.DoesNotExist:
            return None

    def get_provider(self, connection: Connection) -> str:
        return connection.provider

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_refresh_token_expires_at(self, connection: Connection) -> str | None:
        """The idle deadline, while Salesforce still accepts the refresh token."""
        tokens = self._tokens(connection)
        if tokens is None or not connection.refresh_token_alive:
            return None
        return serializers.DateTimeField().to_representation(tokens.refresh_token_expires_at)

    def get_url(self, connection: Connection) -> str:
        return settings.PUBLIC_BASE_URL + connection.get_absolute_url()


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false`` only (DRF's BooleanField also takes "yes", 1, "on")."""

    default_error_messages = {"invalid": "Must be a JSON boolean: true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only (DRF's IntegerField also takes "300", 300.0 and true)."""

    default_error_messages = {"invalid": "Must be a JSON integer."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """A request body that refuses fields it doesn't declare, so a typo isn't ignored."""

    def to_internal_value(self, data):
        names = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        unknown = {name: ["Unknown field."] for name in names}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            error.detail.update(unknown)
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


# drf-spectacular adds "Request" to request components (COMPONENT_SPLIT_REQUEST).
@extend_schema_serializer(component_name="AccessToken")
class AccessTokenRequestSerializer(StrictSerializer):
    min_ttl_seconds = StrictIntegerField(
        required=False,
        default=0,
        min_value=0,
        help_text="Refresh first when the token would live less than this (seconds): an "
        "integer from 0 to ACCESS_TOKEN_LIFETIME - 60 (3540 by default).",
    )
    force_refresh = StrictBooleanField(
        required=False,
        default=False,
        help_text="Refresh even if the token looks fresh (not within 30 s of the last one). "
        "On a misconfigured connection: try one refresh now.",
    )

    def validate_min_ttl_seconds(self, value: int) -> int:
        longest = settings.ACCESS_TOKEN_LIFETIME - 60
        if value > longest:
            raise serializers.ValidationError(
                f"At most {longest}: a new access token lives about "
                f"{settings.ACCESS_TOKEN_LIFETIME} seconds (ACCESS_TOKEN_LIFETIME)."
            )
        return value


@extend_schema_serializer(component_name="InvalidToken")
class InvalidTokenRequestSerializer(StrictSerializer):
    token_version = StrictIntegerField(
        min_value=0,
        max_value=TOKEN_VERSION_MAX,
        help_text="The token_version of the token Salesforce refused.",
    )


class AccessTokenSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    token_type = serializers.ChoiceField(choices=["Bearer"])
    instance_url = serializers.URLField()
    api_base_url = serializers.URLField(
        help_text="Salesforce: instance_url + /services/data/vNN.0, a version the org "
        "supports. Dynamics 365: the environment URL + /api/data/v9.2."
    )
    org_id = serializers.CharField()
    user_id = serializers.CharField()
    username = serializers.CharField()
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    expires_at_source = serializers.ChoiceField(
        choices=["estimate", "provider"],
        help_text="estimate (Salesforce, which sends no expires_in): expires_at is issued_at "
        "+ ACCESS_TOKEN_LIFETIME. provider (Dynamics 365): the token response's expires_in.",
    )
    token_version = serializers.IntegerField(
        help_text="Grows with every new access token of the connection."
    )
    refreshed = serializers.BooleanField(help_text="This call obtained a new token.")


class TestResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()
    api_versions = serializers.ListField(
        child=serializers.CharField(),
        help_text="Salesforce: the REST API versions the org lists. Dynamics 365: the Web API "
        "version Orgkeeper calls (9.2). Empty when ok is false.",
    )


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details (application/problem+json)."""

    type = serializers.CharField()
    code = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    retry_after = serializers.IntegerField(required=False)
