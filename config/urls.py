from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from hearth.api import urls as api_token_urls
from hearth.api.api import api
from hearth.communities import urls as community_urls
from hearth.lib import health
from hearth.people import views as people_views
from hearth.people import views_two_step as two_step_views

urlpatterns = [
    path("", people_views.home, name="home"),
    path("health/live", health.live, name="health_live"),
    path("health/ready", health.ready, name="health_ready"),
    path("people/<int:pk>/", people_views.person_detail, name="person"),
    path("people/<int:pk>/photo/", people_views.person_photo, name="person_photo"),
    path("account/photo/", people_views.photo_edit, name="photo_edit"),
    path("accounts/login/", two_step_views.SignInView.as_view(), name="login"),
    path("accounts/login/code/", two_step_views.sign_in_code, name="login_code"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        two_step_views.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("account/two-step/", two_step_views.two_step_page, name="two_step"),
    path("account/two-step/confirm/", two_step_views.two_step_confirm, name="two_step_confirm"),
    path("account/two-step/off/", two_step_views.two_step_off, name="two_step_off"),
    path("accounts/", include("django.contrib.auth.urls")),
    # Single sign-on; allauth's own sign-in, sign-out and connections pages are not used.
    path("sso/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("sso/logout/", RedirectView.as_view(pattern_name="home")),
    path("sso/3rdparty/", RedirectView.as_view(pattern_name="home")),
    path("sso/", include("allauth.urls")),
    path("account/api-tokens/", include(api_token_urls)),
    path("api/", api.urls),
    path("", include(community_urls)),
    path("", include("hearth.meetings.urls")),
    path("", include("hearth.meetings.feed_urls")),
    path("", include("hearth.meetings.booking_urls")),
    path("", include("hearth.meetings.overdue_urls")),
    path("", include("hearth.serendipity.urls")),
    path("", include("hearth.pulse.urls")),
    path("", include("hearth.recognition.urls")),
    path("", include("hearth.reports.urls")),
    path("", include("hearth.mentor_development.urls")),
    path("", include("hearth.matching.urls")),
    path("", include("hearth.studies.urls")),
    path("", include("hearth.stewardship.urls")),
    # The admin signs in through Hearth's own page, so two-step sign-in cannot be bypassed there.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
]
