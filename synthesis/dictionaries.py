"""Pronunciation dictionaries: a user's own, created, listed, changed and deleted over REST
and gRPC, and chosen for a synthesis (``config.dictionary_id``, else the user's default).

Another user's dictionary is not found (404 DICTIONARY_NOT_FOUND). Limits:
``MAX_DICTIONARIES_PER_USER`` dictionaries, ``MAX_ENTRIES`` entries each (serializers).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from speech.lexicon import Entry
from synthesis.models import PronunciationDictionary
from voxify_project.errors import InvalidInput, NotFound

MAX_DICTIONARIES_PER_USER = 50
MAX_ENTRIES = 1000
MAX_TERM_CHARS = 100
MAX_ALIAS_CHARS = 200
MAX_PHONEMES_CHARS = 200
NO_DICTIONARY = "none"  # config.dictionary_id: not even the default


class DictionaryNotFound(NotFound):
    code = "DICTIONARY_NOT_FOUND"
    default_message = "Pronunciation dictionary not found."


def dictionary_list(*, user: User) -> QuerySet[PronunciationDictionary]:
    return PronunciationDictionary.objects.filter(owner=user).order_by("-created_at", "-id")


def dictionary_get(*, user: User, dictionary_id: str) -> PronunciationDictionary:
    dictionary = PronunciationDictionary.objects.filter(owner=user, public_id=dictionary_id).first()
    if dictionary is None:
        raise DictionaryNotFound(details={"dictionary_id": dictionary_id})
    return dictionary


def _only_default(user: User, keep: PronunciationDictionary) -> None:
    PronunciationDictionary.objects.filter(owner=user, is_default=True).exclude(pk=keep.pk).update(is_default=False)


def dictionary_create(
    *, user: User, name: str, description: str = "", is_default: bool = False, entries: list[dict[str, Any]]
) -> PronunciationDictionary:
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time per user
        if PronunciationDictionary.objects.filter(owner=user).count() >= MAX_DICTIONARIES_PER_USER:
            raise InvalidInput(
                f"At most {MAX_DICTIONARIES_PER_USER} pronunciation dictionaries; delete one first.",
                details={"name": [f"At most {MAX_DICTIONARIES_PER_USER} dictionaries per user."]},
            )
        dictionary = PronunciationDictionary(
            owner=user, name=name, description=description, is_default=False, entries=entries
        )
        dictionary.save()
        if is_default:
            _only_default(user, dictionary)
            dictionary.is_default = True
            dictionary.save(update_fields=["is_default"])
    return dictionary


def dictionary_update(*, dictionary: PronunciationDictionary, **changes: Any) -> PronunciationDictionary:
    """Change the fields given; ``entries`` replaces every entry."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=dictionary.owner_id).first()
        if changes.get("is_default"):
            _only_default(dictionary.owner, dictionary)
        for field, value in changes.items():
            setattr(dictionary, field, value)
        dictionary.updated_at = timezone.now()
        dictionary.save()
    return dictionary


def dictionary_delete(*, dictionary: PronunciationDictionary) -> None:
    """Syntheses made with it keep what they were given (their pieces); only the id remains."""
    dictionary.delete()


def dictionary_for_synthesis(*, user: User, dictionary_id: str | None) -> tuple[str, list[Entry]]:
    """The dictionary a synthesis uses and its entries: the one named, none for ``"none"``,
    else the user's default (if any)."""
    if dictionary_id == NO_DICTIONARY:
        return "", []
    if dictionary_id:
        dictionary: PronunciationDictionary | None = dictionary_get(user=user, dictionary_id=dictionary_id)
    else:
        dictionary = PronunciationDictionary.objects.filter(owner=user, is_default=True).first()
    if dictionary is None:
        return "", []
    return dictionary.public_id, [
        Entry(e["term"], e.get("alias"), e.get("phonemes"), bool(e.get("case_sensitive"))) for e in dictionary.entries
    ]
