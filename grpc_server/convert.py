"""Model and serializer data to protobuf messages (timestamps, optionals, structs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.utils.dateparse import parse_datetime
from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.struct_pb2 import Struct
from google.protobuf.timestamp_pb2 import Timestamp

M = TypeVar("M", bound=Message)


def timestamp(value: datetime | str | None) -> Timestamp | None:
    """A protobuf Timestamp (None stays unset)."""
    if value is None or value == "":
        return None
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def struct(value: dict[str, Any] | None) -> Struct | None:
    if value is None:
        return None
    out = Struct()
    out.update(value)
    return out


def given(message: Message, *names: str) -> dict[str, Any]:
    """The fields the client set (proto3: a non-default value, or present for ``optional``
    ones), all of them or only those named: what a REST client would have sent."""
    return {field.name: value for field, value in message.ListFields() if not names or field.name in names}


def page_params(page: int, page_size: int) -> dict[str, str]:
    """Protobuf's 0 means "not given": the REST defaults apply."""
    params = {}
    if page:
        params["page"] = str(page)
    if page_size:
        params["page_size"] = str(page_size)
    return params


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def message_from(message_class: type[M], data: Any) -> M:
    """A message from the REST serializer's data: the same field names, so both APIs answer
    with the same values by construction. Nulls stay unset; fields REST has and the message
    does not are ignored."""
    message: M = message_class()
    json_format.ParseDict(_without_nulls(dict(data)), message, ignore_unknown_fields=True)
    return message
