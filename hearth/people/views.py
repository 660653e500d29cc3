from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from hearth.communities import selectors as community_selectors
from hearth.lib.http import AuthenticatedRequest
from hearth.lib.uploads import accepts_upload
from hearth.serendipity.selectors import contacts_of

from .forms import MAX_PHOTO_BYTES, PhotoForm
from .permissions import directs_any_program_of, get_person_for_user, visible_faces
from .selectors import home_for
from .services import person_photo_set


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "people/home.html", {"home": home_for(request.user)})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "is_self": person.pk == request.user.pk,
            "memberships": community_selectors.person_memberships(user=request.user, person=person),
            "mentor_map": community_selectors.mentor_map(user=request.user, person=person),
            "mentees": community_selectors.mentees_of(user=request.user, person=person),
            "contacts": contacts_of(person)
            if person.pk == request.user.pk or directs_any_program_of(request.user, person)
            else None,
            "attributes": person.attributes.select_related("definition")
            if person.pk == request.user.pk
            else [],
        },
    )


@login_required
def person_photo(request: HttpRequest, pk: int) -> FileResponse:
    """Photos are served through the permission rule, never as public files."""
    person = get_object_or_404(visible_faces(request.user), pk=pk)
    if not person.photo:
        raise Http404("No photo.")
    response = FileResponse(person.photo.open("rb"), content_type="image/" + _image_type(person))
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _image_type(person: Any) -> str:
    suffix = person.photo.name.rsplit(".", 1)[-1].lower()
    return {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "gif": "gif", "webp": "webp"}.get(
        suffix, "jpeg"
    )


@login_required
@accepts_upload(MAX_PHOTO_BYTES)
def photo_edit(request: AuthenticatedRequest) -> HttpResponse:
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            person_photo_set(person=request.user, upload=form.cleaned_data["photo"])
        except ValidationError as error:
            form.add_error("photo", error)
        else:
            messages.success(request, "Your photo is saved.")
            return redirect("person", request.user.pk)
    return render(
        request, "people/photo_edit.html", {"form": form}, status=400 if form.errors else 200
    )
