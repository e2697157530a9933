"""Password strength: beyond Django's validators, require letters and a digit or symbol."""

from __future__ import annotations

from typing import Any


class CharacterClassValidator:
    message = "This password must contain at least one letter and at least one digit or symbol."

    def validate(self, password: str, user: Any = None) -> None:
        from django.core.exceptions import ValidationError

        has_letter = any(ch.isalpha() for ch in password)
        has_other = any(not ch.isalpha() for ch in password)
        if not (has_letter and has_other):
            raise ValidationError(self.message, code="password_character_classes")

    def get_help_text(self) -> str:
        return self.message
