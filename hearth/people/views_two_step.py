from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.models import Device

from hearth.lib.http import AuthenticatedRequest

from . import two_step
from .models import Person
from .two_step_forms import CodeForm, ConfirmForm, TurnOffForm

_NEW_CODES_KEY = "two_step_new_recovery_codes"


class SignInView(auth_views.LoginView):
    """The password step; with two-step sign-in on, it leads to the code step instead."""

    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        person = form.get_user()
        if two_step.two_step_device(person) is None:
            return super().form_valid(form)
        two_step.pending_set(self.request, person=person, backend=person.backend)
        url = reverse("login_code")
        if next_url := self.get_redirect_url():
            url += "?" + urlencode({"next": next_url})
        return HttpResponseRedirect(url)


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password set through the emailed link also lifts a sign-in lockout."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        two_step.lockout_lift(email=form.user.email)
        return response


@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    pending = two_step.pending_get(request)
    if pending is None:
        messages.info(request, "Please sign in again.")
        return redirect("login")
    person, backend = pending
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if two_step.sign_in_locked(request, person.email):
            return two_step.lockout_response(request)
        device = _checked_code(request, form, person)
        if device is not None:
            two_step.pending_clear(request)
            auth_login(request, person, backend=backend)
            django_otp.login(request, device)
            return redirect(next_url or "home")
    return render(request, "registration/login_code.html", {"form": form, "next": next_url})


def _checked_code(request: HttpRequest, form: CodeForm, person: Person) -> Device | None:
    if not form.is_valid():
        return None
    code = form.cleaned_data["code"]
    if wait := two_step.code_wait_seconds(person, code):
        form.add_error(None, _wait_message(wait))
        return None
    device = two_step.code_verify(person, code)
    if device is None:
        two_step.sign_in_failed(request, person.email)
        form.add_error(
            "code",
            "That code is not right. Codes change every 30 seconds: type the one your app "
            "shows now, or use a recovery code.",
        )
    return device


@login_required
def two_step_page(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":  # "Turn on": a new secret to scan and confirm
        two_step.two_step_begin(person=request.user)
        return redirect("two_step")
    return _render_page(request)


@login_required
@require_POST
def two_step_confirm(request: AuthenticatedRequest) -> HttpResponse:
    device = two_step.two_step_pending_device(request.user)
    if device is None:
        return redirect("two_step")
    form = ConfirmForm(request.POST)
    if wait := two_step.device_wait_seconds(device):
        form.add_error(None, _wait_message(wait))
    elif form.is_valid():
        codes = two_step.two_step_confirm(device=device, code=form.cleaned_data["code"])
        if codes is not None:
            request.session[_NEW_CODES_KEY] = codes
            messages.success(request, "Two-step sign-in is on.")
            return redirect("two_step")
        form.add_error("code", "That code is not right. Type the 6-digit code your app shows now.")
    return _render_page(request, confirm_form=form)


@login_required
@require_POST
def two_step_off(request: AuthenticatedRequest) -> HttpResponse:
    person = request.user
    if two_step.sign_in_locked(request, person.email):
        return two_step.lockout_response(request)
    form = TurnOffForm(request.POST)
    if form.is_valid():
        secret = form.cleaned_data["secret"]
        if person.check_password(secret) or two_step.code_verify(person, secret):
            two_step.two_step_turn_off(person=person)
            messages.success(request, "Two-step sign-in is off.")
            return redirect("two_step")
        two_step.sign_in_failed(request, person.email)
        form.add_error("secret", "That is neither a current code nor your password.")
    return _render_page(request, off_form=form)


def _wait_message(seconds: int) -> str:
    return (
        f"Several wrong codes in a row: wait {seconds} second{pluralize(seconds)}, then try again."
    )


def _render_page(
    request: AuthenticatedRequest,
    *,
    confirm_form: ConfirmForm | None = None,
    off_form: TurnOffForm | None = None,
) -> HttpResponse:
    person = request.user
    device = two_step.two_step_device(person)
    pending = None if device else two_step.two_step_pending_device(person)
    context: dict[str, Any] = {
        "device": device,
        "pending": pending,
        # Shown once, on the page right after confirming.
        "new_codes": request.session.pop(_NEW_CODES_KEY, None),
    }
    if device:
        context["codes_left"] = two_step.recovery_codes_left(person)
        context["off_form"] = off_form or TurnOffForm()
    elif pending:
        context["qr_svg"] = two_step.qr_svg(pending)
        context["secret"] = two_step.secret_text(pending)
        context["confirm_form"] = confirm_form or ConfirmForm()
    response = render(request, "people/two_step.html", context)
    response["Cache-Control"] = "no-store"  # the page can hold a secret or recovery codes
    return response
