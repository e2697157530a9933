"""Pagination in the shape of the API document.

``data`` holds the page under the view's ``results_key`` (``samples``, ``jobs``, …) and a
``pagination`` object: page, page_size, total_count, total_pages, has_next, has_prev.
``page_size`` is capped at 100; a page or page_size that is not a positive integer, or is
above MAX_PAGE, is a 400 ``VALIDATION_ERROR``. A page past the end is an empty page, not an error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from voxify_project.envelope import ok
from voxify_project.errors import InvalidInput

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


MAX_PAGE = 1_000_000_000  # keeps the row offset inside a 64-bit SQL integer


def _positive_int(params: Any, name: str, default: int, errors: dict[str, list[str]], maximum: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        errors[name] = [f"{name} must be a positive integer."]
        return default
    if value < 1:
        errors[name] = [f"{name} must be a positive integer."]
    elif value > maximum:
        errors[name] = [f"{name} must be at most {maximum}."]
    return value


def page_params(params: Any) -> tuple[int, int]:
    """(page, page_size) from query parameters, validated; page_size capped at 100."""
    errors: dict[str, list[str]] = {}
    page = _positive_int(params, "page", 1, errors, MAX_PAGE)
    # page_size beyond the cap is served at the cap (documented); a huge number is still an error.
    page_size = _positive_int(params, "page_size", DEFAULT_PAGE_SIZE, errors, MAX_PAGE)
    if errors:
        raise InvalidInput("Invalid pagination parameters.", details=errors)
    return page, min(page_size, MAX_PAGE_SIZE)


def page_of(queryset: QuerySet[Any] | Sequence[Any], params: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """One page of ``queryset`` for ``page`` / ``page_size`` in ``params`` (validated as
    ``page_params`` does), and the document's pagination object."""
    page, page_size = page_params(params)
    total_count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    start = (page - 1) * page_size
    total_pages = math.ceil(total_count / page_size) if total_count else 0
    pagination = {
        "page": page,
        "page_size": page_size,
        "total_count": total_count,
        "total_pages": total_pages,
        "has_next": page < total_pages,
        "has_prev": page > 1,
    }
    return list(queryset[start : start + page_size]), pagination


class EnvelopePagination(BasePagination):
    """Set ``results_key`` in a subclass, or use :func:`paginated_as`."""

    results_key = "results"

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any]:
        items, self._pagination = page_of(queryset, request.query_params)
        return items

    def pagination_object(self) -> dict[str, Any]:
        return self._pagination

    def get_paginated_response(self, data: Any) -> Response:
        return ok({self.results_key: data, "pagination": self.pagination_object()})

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {"name": name, "in": "query", "required": False, "schema": schema, "description": description}
            for name, (schema, description) in PAGE_QUERY.items()
        ]


def paginated_as(results_key: str) -> type[EnvelopePagination]:
    """A pagination class whose page sits under ``data[results_key]``."""
    return type(f"{results_key.title()}Pagination", (EnvelopePagination,), {"results_key": results_key})


def paginated_response(
    pagination_class: type[EnvelopePagination], request: Request, queryset: QuerySet[Any], serializer_class: Any
) -> Response:
    """One page of ``queryset``, serialised, in the envelope with the pagination object."""
    paginator = pagination_class()
    page = paginator.paginate_queryset(queryset, request)
    return paginator.get_paginated_response(serializer_class(page, many=True, context={"request": request}).data)


class PaginationObjectSerializer(serializers.Serializer[Any]):
    """The document's pagination object (schema only)."""

    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    total_count = serializers.IntegerField()
    total_pages = serializers.IntegerField()
    has_next = serializers.BooleanField()
    has_prev = serializers.BooleanField()


def paginated_schema(pagination_class: type[EnvelopePagination], item_serializer: type[Any], name: str) -> type:
    """The OpenAPI schema of such a page: ``{success, data: {<results_key>: [item], pagination}, ...}``,
    the item serializer becoming a named component (so every reference resolves)."""
    from voxify_project.openapi import enveloped

    data = type(
        f"{name}PageData",
        (serializers.Serializer,),
        {pagination_class.results_key: item_serializer(many=True), "pagination": PaginationObjectSerializer()},
    )
    return enveloped(data, f"{name}PageEnvelope")


# The list endpoints' query parameters in the schema (what page_params accepts); the page
# itself is documented by paginated_schema.
PAGE_QUERY: dict[str, tuple[dict[str, Any], str]] = {
    "page": ({"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "1-based page."),
    "page_size": (
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        f"Items per page (default {DEFAULT_PAGE_SIZE}; larger values are served as {MAX_PAGE_SIZE}).",
    ),
}
PAGE_PARAMETERS = [
    OpenApiParameter(name, schema, description=description) for name, (schema, description) in PAGE_QUERY.items()
]
