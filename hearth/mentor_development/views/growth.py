from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hearth.lib.charts import growth_change_svg, growth_svg
from hearth.lib.http import AuthenticatedRequest
from hearth.people.permissions import get_enrolled_series, get_series_for_cohort_growth
from hearth.pulse.forms import ItemsForm

from ..models import RatingMoment, TrainingSeries
from ..selectors import growth as selectors
from ..services import growth as services

MOMENT_LABELS = [moment.label for moment in selectors.MOMENTS]


@login_required
def growth(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _growth_page(request, get_enrolled_series(request.user, pk))


def _growth_page(
    request: AuthenticatedRequest,
    series: TrainingSeries,
    invalid: ItemsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    bank = services.self_rating_bank()
    mine = selectors.my_growth(series, request.user)
    forms = []
    for state in mine.open_windows:
        moment = str(state.window.moment)
        if invalid is not None and invalid.prefix == moment:
            forms.append((state, invalid))
        else:
            initial = state.rating.answers if state.rating else None
            forms.append((state, ItemsForm(bank=bank, prefix=moment, initial=initial)))
    chart = ""
    if len({row["moment"] for row in mine.chart_rows}) > 1:  # one moment is no line
        chart = growth_svg(
            mine.chart_rows,
            MOMENT_LABELS,
            description="Line chart of your self-ratings per domain, before the series, at its "
            "end and six months later, on a scale from 1 to 5. The same numbers are in the table.",
        )
    return render(
        request,
        "mentor_development/growth_trainee.html",
        {"series": series, "mine": mine, "forms": forms, "chart": chart, "bank": bank},
        status=status,
    )


@require_POST
@login_required
def growth_rate(request: AuthenticatedRequest, pk: int, moment: str) -> HttpResponse:
    series = get_enrolled_series(request.user, pk)
    if moment not in RatingMoment.values:
        raise Http404("No such rating.")
    form = ItemsForm(request.POST, bank=services.self_rating_bank(), prefix=moment)
    if form.is_valid():
        try:
            services.self_rating_submit(
                series=series, person=request.user, moment=moment, answers=form.answers()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thank you: your self-rating is saved.")
            return redirect("series_growth", series.pk)
    return _growth_page(request, series, invalid=form, status=400)


@login_required
def growth_cohort(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    series = get_series_for_cohort_growth(request.user, pk)
    cohort = selectors.cohort_growth(series)
    chart = ""
    if cohort.chart_rows:
        chart = growth_change_svg(cohort.chart_rows, [c.label for c in cohort.comparisons])
    return render(
        request,
        "mentor_development/growth_cohort.html",
        {"series": series, "cohort": cohort, "chart": chart},
    )
