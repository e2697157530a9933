from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from tests.support.api import STRONG_PASSWORD, client_for


@pytest.fixture
def staff(db: None) -> tuple[User, APIClient]:
    user = User.objects.create_user("ops@example.com", STRONG_PASSWORD, is_staff=True, first_name="Olga")
    return user, client_for(user)


@pytest.fixture
def staff_browser(staff: tuple[User, APIClient]) -> Callable[[], Client]:
    """A Django test client signed in to the admin site as the staff user, who (like an
    operator made with createsuperuser) holds every model permission."""
    User.objects.filter(pk=staff[0].pk).update(is_superuser=True)

    def make() -> Client:
        client = Client()
        client.force_login(staff[0])
        return client

    return make
