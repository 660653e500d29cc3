from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hearth.lib.charts import meetings_per_month_svg
from hearth.people.permissions import directed_communities_in, get_program_for_user

from .cadence import late_pairs, meetings_per_month


@login_required
def overdue(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_user(request.user, slug)
    communities = directed_communities_in(request.user, program)
    if not communities.exists():
        raise Http404("Not found.")
    now = timezone.now()
    late = late_pairs(
        program=program, communities=communities, now=now, page=request.GET.get("page")
    )
    per_month = meetings_per_month(communities=communities, now=now)
    names = sorted({row["community"] for row in per_month})
    counts = {(row["month"], row["community"]): row["meetings"] for row in per_month}
    months = sorted({row["month"] for row in per_month})
    return render(
        request,
        "meetings/overdue.html",
        {
            "program": program,
            "late": late.rows,
            "pages": late.page,
            "late_count": late.total,
            "stalled_count": late.stalled,
            "community_names": names,
            "month_rows": [(month, [counts[month, name] for name in names]) for month in months],
            "chart": meetings_per_month_svg(per_month),
        },
    )
