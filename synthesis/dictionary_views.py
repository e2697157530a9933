"""Pronunciation dictionary endpoints: /api/v1/tts/dictionaries (docs/synthesis.md)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_from_request
from synthesis import dictionaries
from synthesis.serializers import (
    DictionaryInputSerializer,
    DictionaryListItemSerializer,
    DictionarySerializer,
    DictionaryUpdateSerializer,
)
from voxify_project.envelope import ok
from voxify_project.openapi import enveloped, error_responses
from voxify_project.pagination import PAGE_PARAMETERS, paginated_as, paginated_response, paginated_schema

ENTRY_RULES = (
    "Each entry replaces a word or phrase (`term`, whole words, any whitespace between its words) with an "
    "`alias` or with IPA `phonemes`, before normalisation; case is ignored unless `case_sensitive`. The longest "
    "term wins; replacements are not matched again."
)


class DictionaryListCreateView(APIView):
    pagination_class = paginated_as("dictionaries")

    @extend_schema(
        operation_id="tts_dictionaries_list",
        parameters=PAGE_PARAMETERS,
        responses={
            200: paginated_schema(pagination_class, DictionaryListItemSerializer, "DictionaryList"),
            **error_responses(400, 401),
        },
        tags=["tts"],
        description="The user's pronunciation dictionaries, newest first, without their entries (`entry_count`).",
    )
    def get(self, request: Request) -> Response:
        found = dictionaries.dictionary_list(user=user_from_request(request))
        return paginated_response(self.pagination_class, request, found, DictionaryListItemSerializer)

    @extend_schema(
        operation_id="tts_dictionaries_create",
        request=DictionaryInputSerializer,
        responses={201: enveloped(DictionarySerializer, "DictionaryEnvelope"), **error_responses(400, 401)},
        tags=["tts"],
        description=f"{ENTRY_RULES} At most {dictionaries.MAX_DICTIONARIES_PER_USER} dictionaries per user and "
        f"{dictionaries.MAX_ENTRIES} entries each. `is_default: true` makes it the dictionary of every synthesis "
        "that names none (the previous default stops being one).",
    )
    def post(self, request: Request) -> Response:
        data = DictionaryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.setdefault("entries", [])
        dictionary = dictionaries.dictionary_create(user=user_from_request(request), **fields)
        return ok(DictionarySerializer(dictionary).data, "Dictionary created", status=201)


class DictionaryDetailView(APIView):
    @extend_schema(
        operation_id="tts_dictionaries_get",
        responses={200: enveloped(DictionarySerializer, "DictionaryEnvelope"), **error_responses(401, 404)},
        tags=["tts"],
    )
    def get(self, request: Request, dictionary_id: str) -> Response:
        dictionary = dictionaries.dictionary_get(user=user_from_request(request), dictionary_id=dictionary_id)
        return ok(DictionarySerializer(dictionary).data)

    @extend_schema(
        operation_id="tts_dictionaries_update",
        request=DictionaryUpdateSerializer,
        responses={200: enveloped(DictionarySerializer, "DictionaryEnvelope"), **error_responses(400, 401, 404)},
        tags=["tts"],
        description="Changes the fields given; `entries` replaces all of them. Syntheses already accepted keep "
        "what they were given.",
    )
    def patch(self, request: Request, dictionary_id: str) -> Response:
        dictionary = dictionaries.dictionary_get(user=user_from_request(request), dictionary_id=dictionary_id)
        data = DictionaryUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dictionary = dictionaries.dictionary_update(dictionary=dictionary, **data.validated_data)
        return ok(DictionarySerializer(dictionary).data, "Dictionary updated")

    @extend_schema(
        operation_id="tts_dictionaries_delete",
        responses={
            200: enveloped(DictionaryListItemSerializer, "DictionaryDeletedEnvelope"),
            **error_responses(401, 404),
        },
        tags=["tts"],
    )
    def delete(self, request: Request, dictionary_id: str) -> Response:
        dictionary = dictionaries.dictionary_get(user=user_from_request(request), dictionary_id=dictionary_id)
        data = DictionaryListItemSerializer(dictionary).data
        dictionaries.dictionary_delete(dictionary=dictionary)
        return ok(data, "Dictionary deleted")
