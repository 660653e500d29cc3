from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hearth.api import urls as api_token_urls
from hearth.api.api import api
from hearth.communities import urls as community_urls
from hearth.people import views as people_views

urlpatterns = [
    path("", people_views.home, name="home"),
    path("people/<int:pk>/", people_views.person_detail, name="person"),
    path("people/<int:pk>/photo/", people_views.person_photo, name="person_photo"),
    path("account/photo/", people_views.photo_edit, name="photo_edit"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
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
    path("admin/", admin.site.urls),
]
