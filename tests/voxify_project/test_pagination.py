"""The document's pagination object, its limits and its errors."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.voxify_project.urls")]

URL = "/api/v1/probe/users"


@pytest.fixture
def users_45() -> None:
    User.objects.bulk_create(User(email=f"user{i:02d}@example.com") for i in range(45))


def page(client: APIClient, **params: Any) -> Any:
    return client.get(URL, params)


def test_first_page_defaults(api_client: APIClient, users_45: None) -> None:
    data = page(api_client).json()["data"]

    assert len(data["users"]) == 20
    assert data["users"][0]["email"] == "user00@example.com"
    assert data["pagination"] == {
        "page": 1,
        "page_size": 20,
        "total_count": 45,
        "total_pages": 3,
        "has_next": True,
        "has_prev": False,
    }


def test_last_partial_page(api_client: APIClient, users_45: None) -> None:
    data = page(api_client, page=3).json()["data"]

    assert [u["email"] for u in data["users"]] == [f"user{i:02d}@example.com" for i in range(40, 45)]
    assert data["pagination"]["has_next"] is False
    assert data["pagination"]["has_prev"] is True


def test_page_past_the_end_is_empty(api_client: APIClient, users_45: None) -> None:
    response = page(api_client, page=4)

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["users"] == []
    assert data["pagination"]["has_next"] is False
    assert data["pagination"]["has_prev"] is True
    assert data["pagination"]["total_pages"] == 3


def test_page_size_is_capped_at_100(api_client: APIClient) -> None:
    User.objects.bulk_create(User(email=f"many{i:03d}@example.com") for i in range(120))

    data = page(api_client, page_size=500).json()["data"]

    assert data["pagination"]["page_size"] == 100
    assert len(data["users"]) == 100
    assert data["pagination"]["total_pages"] == 2


def test_empty_collection(api_client: APIClient) -> None:
    data = page(api_client).json()["data"]

    assert data["users"] == []
    assert data["pagination"] == {
        "page": 1,
        "page_size": 20,
        "total_count": 0,
        "total_pages": 0,
        "has_next": False,
        "has_prev": False,
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        # Beyond a 64-bit row offset: refused before any query (it was a 500).
        ({"page": "99999999999999999999"}, "page"),
        ({"page": 1_000_000_001}, "page"),
        ({"page_size": "99999999999999999999"}, "page_size"),
    ],
)
def test_bad_page_values_are_400(api_client: APIClient, params: dict[str, Any], field: str) -> None:
    response = page(api_client, **params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert list(error["details"]) == [field]


def test_the_last_allowed_page_is_an_empty_page(api_client: APIClient, users_45: None) -> None:
    from voxify_project.pagination import MAX_PAGE

    response = page(api_client, page=MAX_PAGE, page_size=100)

    assert response.status_code == 200
    assert response.json()["data"]["users"] == []
