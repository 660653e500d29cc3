from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from hearth.lib.http import AuthenticatedRequest

from .personal_data import person_export


@login_required
@require_GET
def my_data(request: AuthenticatedRequest) -> HttpResponse:
    # Only ever the signed-in person's own data: the URL takes no id to tamper with.
    body = json.dumps(person_export(request.user), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"hearth-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
