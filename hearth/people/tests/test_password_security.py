"""Password sign-in: argon2 hashes, lockout after failed sign-ins, optional two-step sign-in."""

from __future__ import annotations

import json
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from config import settings as real_settings
from hearth.people import two_step
from hearth.people.models import Person
from hearth.stewardship.personal_data import person_erase, person_export
from hearth.testing import PASSWORD, make_person

LOCKED = "Too many failed sign-ins for this email. Try again in 15 minutes, or reset your password."
LOGIN = "/accounts/login/"
CODE_STEP = "/accounts/login/code/"


def text(response) -> str:
    """The page as a person reads it: tags gone, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split()).replace(" .", ".")


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    # A code is accepted once; the next sign-in uses the next 30-second step, which the device
    # still accepts (tolerance 1).
    t0 = device.t0 - steps_ahead * device.step
    return f"{totp(device.bin_key, device.step, t0, device.digits, device.drift):06d}"


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


@pytest.fixture
def person(db) -> Person:
    return make_person("Pat Password")


@pytest.fixture
def throttling(settings):
    settings.AXES_ENABLED = True


@pytest.fixture
def no_device_throttle(settings):
    # django-otp makes a person wait 1, 2, 4… seconds after a wrong code; tests that type a
    # right code straight after a wrong one turn that off (one test checks the wait itself).
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def turn_on(person: Person) -> tuple[TOTPDevice, list[str]]:
    device = two_step.two_step_begin(person=person)
    codes = two_step.two_step_confirm(device=device, code=code_for(device))
    assert codes is not None
    device.refresh_from_db()
    return device, codes


# -- argon2 -----------------------------------------------------------------------------------


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS


def test_a_new_password_is_stored_with_argon2(real_hashers, person):
    person.set_password("a-new-long-passphrase")
    person.save()
    person.refresh_from_db()
    assert person.password.startswith("argon2$")
    assert person.check_password("a-new-long-passphrase")


def test_an_old_pbkdf2_hash_still_signs_in_and_is_upgraded(real_hashers, client, person):
    Person.objects.filter(pk=person.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    response = sign_in(client, person.email)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.password.startswith("argon2$")


# -- Throttling -------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_that_email_with_a_plain_message(throttling, client, person):
    for _ in range(4):
        response = sign_in(client, person.email, "wrong")
        assert response.status_code == 200
        assert "correct email" in text(response)
    response = sign_in(client, person.email, "wrong")
    assert response.status_code == 429
    assert LOCKED in text(response)
    assert "<title>Too many failed sign-ins · Hearth</title>" in response.content.decode()
    # Locked means locked: the right password is refused too, and nobody is signed in.
    response = sign_in(client, person.email.upper())
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_limit_and_the_minutes_come_from_settings(throttling, settings, client, person):
    settings.AXES_FAILURE_LIMIT = 2
    settings.LOGIN_LOCKOUT_MINUTES = 1
    assert sign_in(client, person.email, "wrong").status_code == 200
    response = sign_in(client, person.email, "wrong")
    assert response.status_code == 429
    assert "Try again in 1 minute, or reset" in text(response)


def test_a_lockout_holds_one_email_from_one_address_only(throttling, client, person):
    other = make_person("Olga Other")
    for _ in range(5):
        sign_in(client, person.email, "wrong", REMOTE_ADDR="203.0.113.9")
    assert sign_in(client, person.email, REMOTE_ADDR="203.0.113.9").status_code == 429
    # The colleague whose email was guessed still signs in from their own desk…
    assert sign_in(client, person.email, REMOTE_ADDR="198.51.100.4").status_code == 302
    client.logout()
    # …and others still sign in from the guesser's address.
    assert sign_in(client, other.email, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_a_successful_sign_in_resets_the_count(throttling, client, person):
    for _ in range(4):
        sign_in(client, person.email, "wrong")
    assert sign_in(client, person.email).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, person.email, "wrong").status_code == 200
    assert sign_in(client, person.email).status_code == 302


def test_password_reset_works_while_locked_and_lifts_the_lockout(throttling, client, person):
    for _ in range(5):
        sign_in(client, person.email, "wrong")
    assert sign_in(client, person.email).status_code == 429

    response = client.post(reverse("password_reset"), {"email": person.email})
    assert response.status_code == 302
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session copy first
    response = client.post(
        form_url, {"new_password1": "a-fresh-passphrase", "new_password2": "a-fresh-passphrase"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=person.email).exists()
    assert sign_in(client, person.email, "a-fresh-passphrase").status_code == 302


def test_the_client_address_comes_from_x_forwarded_for_only_behind_the_proxy(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7"
    )
    settings.BEHIND_TLS_PROXY = False
    assert two_step.client_ip(request) == "10.0.0.2"
    settings.BEHIND_TLS_PROXY = True
    # The entry the proxy appended, not the one the client wrote.
    assert two_step.client_ip(request) == "192.0.2.7"


def test_behind_the_proxy_each_forwarded_client_is_counted_apart(
    throttling, settings, client, person
):
    settings.BEHIND_TLS_PROXY = True
    guesser = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    colleague = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.4"}
    for _ in range(5):
        sign_in(client, person.email, "wrong", **guesser)
    assert sign_in(client, person.email, **guesser).status_code == 429
    assert sign_in(client, person.email, **colleague).status_code == 302


# -- Two-step sign-in: turning it on and off ---------------------------------------------------


def test_turning_on_needs_a_current_code_then_shows_recovery_codes_once(
    client, person, no_device_throttle
):
    client.force_login(person)
    page = client.get(reverse("two_step"))
    assert "Two-step sign-in is off" in text(page)

    assert client.post(reverse("two_step")).status_code == 302
    page = client.get(reverse("two_step"))
    device = TOTPDevice.objects.get(user=person)
    assert not device.confirmed
    body = page.content.decode()
    assert re.search(r"<svg[^>]*role=\"img\"", body) and "<script" not in body.split("<main")[1]
    assert "data:" not in body
    shown = re.search(r'<code id="two-step-secret">([A-Z2-7 ]+)</code>', body).group(1)
    assert shown.replace(" ", "") == two_step.secret_text(device).replace(" ", "")
    assert page["Cache-Control"] == "no-store"

    response = client.post(reverse("two_step_confirm"), {"code": "000000"})
    assert "That code is not right" in text(response)
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    response = client.post(reverse("two_step_confirm"), {"code": code_for(device)})
    assert response.status_code == 302
    page = text(client.get(reverse("two_step")))
    assert "Two-step sign-in is on" in page
    codes = list(StaticToken.objects.filter(device__user=person).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in page for code in codes)
    assert "10 unused recovery codes" in page
    # Shown once only.
    again = text(client.get(reverse("two_step")))
    assert not any(code in again for code in codes)


def test_the_profile_links_to_two_step_sign_in_for_oneself_only(client, person):
    other = make_person("Olga Other")
    client.force_login(person)
    own = client.get(reverse("person", args=[person.pk])).content.decode()
    assert f'href="{reverse("two_step")}"' in own
    # Others' profiles are not visible to a person without roles, so ask as a superuser.
    admin = Person.objects.create_superuser(email="root@example.edu", password=PASSWORD)
    client.force_login(admin)
    theirs = client.get(reverse("person", args=[other.pk])).content.decode()
    assert reverse("two_step") not in theirs


def test_turning_off_needs_a_current_code_or_the_password(client, person, no_device_throttle):
    device, _ = turn_on(person)
    client.force_login(person)
    response = client.post(reverse("two_step_off"), {"secret": "not-it"})
    assert "neither a current code nor your password" in text(response)
    assert two_step.two_step_device(person) is not None

    response = client.post(reverse("two_step_off"), {"secret": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()

    device, _ = turn_on(person)
    client.post(reverse("two_step_off"), {"secret": code_for(device, steps_ahead=1)})
    assert two_step.two_step_device(person) is None


def test_the_two_step_page_needs_sign_in(client, db):
    response = client.get(reverse("two_step"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# -- Two-step sign-in: signing in -------------------------------------------------------------


def test_the_password_alone_does_not_sign_in_and_the_code_does(client, person):
    device, _ = turn_on(person)
    response = client.post(
        LOGIN, {"username": person.email, "password": PASSWORD, "next": "/meetings/"}
    )
    assert response.status_code == 302
    assert response.url == f"{CODE_STEP}?next=%2Fmeetings%2F"
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302

    page = client.get(response.url)
    assert "Code" in text(page) and 'value="/meetings/"' in page.content.decode()
    response = client.post(
        CODE_STEP, {"code": code_for(device, steps_ahead=1), "next": "/meetings/"}
    )
    assert response.status_code == 302
    assert response.url == "/meetings/"
    assert client.session["_auth_user_id"] == str(person.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_wrong_code_is_refused_plainly(client, person, no_device_throttle):
    turn_on(person)
    sign_in(client, person.email)
    response = client.post(CODE_STEP, {"code": "123 456"})
    assert response.status_code == 200
    assert "That code is not right" in text(response)
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_toward_the_lockout(throttling, client, person, no_device_throttle):
    device, _ = turn_on(person)
    sign_in(client, person.email)
    for _ in range(4):
        assert client.post(CODE_STEP, {"code": "000000"}).status_code == 200
    response = client.post(CODE_STEP, {"code": "000000"})
    assert response.status_code == 429
    assert LOCKED in text(response)
    response = client.post(CODE_STEP, {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_codes_typed_too_fast_after_a_wrong_one_are_asked_to_wait(client, person):
    device, _ = turn_on(person)
    sign_in(client, person.email)
    client.post(CODE_STEP, {"code": "000000"})
    response = client.post(CODE_STEP, {"code": code_for(device, steps_ahead=1)})
    assert "wait 1 second, then try again" in text(response)
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_signs_in_once(client, person):
    _, codes = turn_on(person)
    sign_in(client, person.email)
    response = client.post(CODE_STEP, {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
    assert two_step.recovery_codes_left(person) == 9

    client.logout()
    sign_in(client, person.email)
    response = client.post(CODE_STEP, {"code": codes[0]})
    assert "That code is not right" in text(response)


def test_the_code_step_without_a_password_step_goes_back_to_sign_in(client, person):
    turn_on(person)
    response = client.post(CODE_STEP, {"code": "000000"})
    assert response.status_code == 302
    assert response.url == reverse("login")


def test_an_outside_next_is_dropped(client, person):
    device, _ = turn_on(person)
    client.post(
        LOGIN, {"username": person.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    response = client.post(
        CODE_STEP, {"code": code_for(device, steps_ahead=1), "next": "https://evil.example/"}
    )
    assert response.url == reverse("home")


def test_without_two_step_the_password_signs_in_directly(client, person):
    response = sign_in(client, person.email)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(person.pk)


def test_the_admin_signs_in_through_hearths_own_page(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/admin/"


# -- Personal data ----------------------------------------------------------------------------


def test_the_export_says_whether_two_step_is_on_and_never_the_secrets(person):
    assert person_export(person)["account"]["two-step sign-in"] == "off"
    device, codes = turn_on(person)
    data = person_export(person)
    assert data["account"]["two-step sign-in"].startswith("on, since 20")
    dumped = json.dumps(data)
    assert device.key not in dumped
    assert two_step.secret_text(device).replace(" ", "") not in dumped
    assert not any(code in dumped for code in codes)


def test_erasure_deletes_the_devices_and_the_failed_sign_ins(throttling, client, person):
    turn_on(person)
    sign_in(client, person.email, "wrong")
    assert AccessAttempt.objects.filter(username=person.email).exists()
    email = person.email
    person_erase(person=person, by=None)
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    assert not AccessAttempt.objects.filter(username__iexact=email).exists()
