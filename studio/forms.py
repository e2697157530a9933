"""The sign-up and sign-in forms: field shapes only. The rules (email and password checks,
throttles, the error messages) are the account services', as on the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import MinimumLengthValidator, get_default_password_validators


def _password_rules() -> str:
    """The configured password rules, in one sentence (the validators' own texts are long)."""
    lengths = [v.min_length for v in get_default_password_validators() if isinstance(v, MinimumLengthValidator)]
    length = f"At least {max(lengths)} characters, " if lengths else ""
    return f"{length}with a letter and a digit or symbol; not a common password, not like your email or name."


class StudioForm(forms.Form):
    def annotate(self) -> None:
        """Tie each input to its help text and error (``aria-describedby``, ``aria-invalid``)."""
        for name, field in self.fields.items():
            bound = self[name]
            described = [f"{bound.auto_id}-help"] if field.help_text else []
            if self.errors.get(name):
                described.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


class SignInForm(StudioForm):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        max_length=128, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SignUpForm(StudioForm):
    email = forms.CharField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = _password_rules()

    def add_service_errors(self, details: Any, fallback: str) -> None:
        """The service's field errors (``{"email": [...], "password": [...]}``) beside their fields."""
        placed = False
        if isinstance(details, dict):
            for field, messages in details.items():
                if field in self.fields:
                    for message in messages if isinstance(messages, list) else [messages]:
                        self.add_error(field, str(message))
                    placed = True
        if not placed:
            self.add_error(None, fallback)
