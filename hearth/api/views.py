from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hearth.lib.http import AuthenticatedRequest

from . import services
from .forms import ApiTokenForm


@never_cache  # the page may carry a new secret; no cache or back button should keep it
@login_required
def api_tokens(request: AuthenticatedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = new_secret = None
    if request.method == "POST" and form.is_valid():
        new_token, new_secret = services.api_token_create(
            person=request.user, name=form.cleaned_data["name"]
        )
        # Rendered rather than redirected: the secret exists only in this response.
        form = ApiTokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": request.user.api_tokens.filter(revoked_at__isnull=True),
            "new_token": new_token,
            "new_secret": new_secret,
        },
    )


@require_POST
@login_required
def api_token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    # Only one's own live tokens: anyone else's, or an unknown id, is a 404.
    token = get_object_or_404(request.user.api_tokens.filter(revoked_at__isnull=True), pk=pk)
    services.api_token_revoke(token=token)
    messages.success(request, f"Revoked “{token.name}”. Anything using it will now be refused.")
    return redirect("api_tokens")
