"""OpenAPI helpers: describe enveloped responses in the generated schema."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

_cache: dict[str, type[serializers.Serializer[Any]]] = {}


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable machine-readable code, see docs/errors.md.")
    message = serializers.CharField()
    details = serializers.JSONField(allow_null=True, help_text="Field errors or other structured detail.")


class ErrorEnvelopeSerializer(serializers.Serializer[Any]):
    success = serializers.BooleanField(default=False)
    data = serializers.JSONField(allow_null=True, default=None)  # type: ignore[assignment]
    message = serializers.CharField()
    error = ErrorDetailSerializer()


def enveloped(inner: type[serializers.Serializer[Any]] | serializers.Field[Any, Any, Any, Any], name: str) -> type:
    """A serializer class describing ``{success, data: <inner>, message, error}`` for the schema."""
    if name not in _cache:
        attrs = {
            "success": serializers.BooleanField(default=True),
            "data": inner() if isinstance(inner, type) else inner,
            "message": serializers.CharField(allow_null=True),
            "error": serializers.JSONField(allow_null=True, default=None),
        }
        _cache[name] = type(name, (serializers.Serializer,), attrs)
    return _cache[name]


def query_credential(name: str, description: str) -> dict[str, str]:
    """The OpenAPI security scheme of a credential sent in the query string (browsers' tickets
    and signed links, for connections that cannot carry an Authorization header)."""
    return {"type": "apiKey", "in": "query", "name": name, "description": description}


def error_responses(*statuses: int) -> dict[int, Any]:
    return dict.fromkeys(statuses, ErrorEnvelopeSerializer)


def add_rate_limit_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every API operation counts against the rate limit
    (requests_per_minute, per user or per client IP), so every one may answer 429."""
    envelope = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault(
                    "429", {**envelope, "description": "Rate limited (RATE_LIMITED) or a quota used up."}
                )
    return result
