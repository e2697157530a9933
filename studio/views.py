"""Voxify Studio: the web pages (an adapter, like the REST views and the gRPC servicers).

Signing up, in and out are forms posted here, checked by the account services (the same
validation, throttles and messages as the API). A signed-in page holds a Django session whose
``studio_sid`` is a Voxify sign-in session (``ses_…``); the page's script asks
``POST /studio/token`` for short-lived access tokens of that session and does everything else
through the public REST API (``/api/v1``), its WebSocket and its SSE stream, under the same
rules as any client: quotas, limits, ownership. Ending the sign-in session anywhere (sign-out,
a password change, deactivation) signs the pages out too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.selectors import user_signed_in, web_session_get_live
from studio.forms import SignInForm, SignUpForm, StudioForm
from voxify_project.envelope import error_body, success_body
from voxify_project.errors import ApplicationError, EmailAlreadyRegistered, InvalidCredentials, InvalidInput
from voxify_project.throttle import client_ip

SESSION_KEY = "studio_sid"
PAGES = [
    ("voices", "My voices"),
    ("speak", "Speak"),
    ("history", "History"),
    ("keys", "API keys"),
]


def _signed_in(request: HttpRequest) -> bool:
    """A Django session of a user whose Voxify sign-in session is still live."""
    sid = request.session.get(SESSION_KEY)
    user = user_signed_in(request)
    if not sid or user is None:
        return False
    if web_session_get_live(session_id=sid, user_id=user.public_id) is None:
        logout(request)  # ended elsewhere (sign-out, password change, deactivation)
        return False
    return True


def _next_path(request: HttpRequest, default: str = "/voices") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/"):
        return target
    return default


def studio_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponseBase]:
    """A page for signed-in users; others go to the sign-in page and come back after."""

    @wraps(view)
    @never_cache
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _signed_in(request):
            return redirect("/signin?" + urlencode({"next": request.get_full_path()}))
        return view(request, *args, **kwargs)

    return page


# Every page's scripts and styles are files of this site: nothing inline, nothing from
# elsewhere, no framing. (Recordings play from blob: URLs; the API and its WebSocket are
# this origin's.)
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def _render(request: HttpRequest, template: str, page: str, *, status: int = 200, **context: Any) -> HttpResponse:
    form = context.get("form")
    if isinstance(form, StudioForm):
        form.annotate()
    response = render(request, f"studio/{template}", {"pages": PAGES, "page": page, **context}, status=status)
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def _start_session(request: HttpRequest, email: str, password: str) -> None:
    user, session = services.web_sign_in(email=email, password=password, client_ip=client_ip(request))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # a new session key
    request.session[SESSION_KEY] = session.public_id
    request.session.set_expiry(session.expires_at)


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponseBase:
    form = SignInForm(request.POST or None)
    refusal: ApplicationError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            _start_session(request, form.cleaned_data["email"], form.cleaned_data["password"])
        except InvalidCredentials as exc:
            form.add_error("password", exc.message)
            refusal = exc
        except ApplicationError as exc:  # throttled, service unavailable
            form.add_error(None, exc.message)
            refusal = exc
        else:
            return redirect(_next_path(request))
    return _form_page(request, "signin.html", "signin", form, refusal, next=_next_path(request))


@never_cache
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponseBase:
    form = SignUpForm(request.POST or None)
    refusal: ApplicationError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_register(
                email=data["email"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                client_ip=client_ip(request),
            )
            _start_session(request, data["email"], data["password"])
        except InvalidInput as exc:
            form.add_service_errors(exc.details, exc.message)
            refusal = exc
        except EmailAlreadyRegistered as exc:
            form.add_error("email", exc.message)
            refusal = exc
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            refusal = exc
        else:
            return redirect("/voices")
    return _form_page(request, "signup.html", "signup", form, refusal)


def _form_page(
    request: HttpRequest, template: str, page: str, form: StudioForm, refusal: ApplicationError | None, **context: Any
) -> HttpResponse:
    """The form again, with its errors and the API's status for the refusal (429 with
    Retry-After when throttled, 409 for a taken email, ...); 400 for a form that did not
    validate or credentials that did not match (a 401 would ask for HTTP authentication)."""
    status = 200
    if request.method == "POST":
        status = refusal.status if refusal is not None and refusal.status != 401 else 400
    response = _render(request, template, page, status=status, form=form, **context)
    for header, value in (refusal.headers if refusal is not None else {}).items():
        response[header] = value
    return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponseBase:
    sid = request.session.get(SESSION_KEY)
    user = user_signed_in(request)
    if sid and user is not None:
        services.web_sign_out(session_id=sid, user=user)
    logout(request)
    return redirect("/signin")


@never_cache
@require_POST
def access_token(request: HttpRequest) -> JsonResponse:
    """A short-lived access token of the page's sign-in session, for its API calls (CSRF-checked:
    only the Studio's own pages can ask)."""
    sid = request.session.get(SESSION_KEY)
    user = user_signed_in(request)
    if not sid or user is None:
        return JsonResponse(error_body("NOT_AUTHENTICATED", "Sign in to continue."), status=401)
    try:
        token, expires_in = services.web_access_token(session_id=sid, user_id=user.public_id)
    except ApplicationError as exc:
        logout(request)
        return JsonResponse(error_body(exc.code, exc.message), status=exc.status)
    return JsonResponse(success_body({"access_token": token, "expires_in": expires_in}))


def home(request: HttpRequest) -> HttpResponseBase:
    return redirect("/voices" if _signed_in(request) else "/signin")


@studio_page
def voices(request: HttpRequest) -> HttpResponse:
    return _render(request, "voices.html", "voices")


@studio_page
def voice(request: HttpRequest, sample_id: str) -> HttpResponse:
    return _render(request, "voice.html", "voices", sample_id=sample_id)


@studio_page
def speak(request: HttpRequest) -> HttpResponse:
    return _render(request, "speak.html", "speak", voice_id=request.GET.get("voice", ""))


@studio_page
def history(request: HttpRequest) -> HttpResponse:
    return _render(request, "history.html", "history")


@studio_page
def keys(request: HttpRequest) -> HttpResponse:
    return _render(request, "keys.html", "keys")
