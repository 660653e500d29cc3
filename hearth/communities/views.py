from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.lib.http import AuthenticatedRequest
from hearth.people.permissions import (
    directed_communities_in,
    directs_community,
    directs_program,
    get_change_request_for_director,
    get_community_for_user,
    get_directed_program,
    get_group_for_user,
    get_program_for_user,
    get_relationship_for_user,
    own_open_learner_membership,
    visible_communities,
    visible_groups,
)

from . import selectors, services
from .forms import (
    ChangeRequestDecisionForm,
    ChangeRequestForm,
    ExclusionForm,
    ReflectionForm,
    RelationshipEndForm,
    RolloverForm,
)


@login_required
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_user(request.user, slug)
    is_director = directs_program(request.user, program)
    overview = selectors.program_overview(
        program=program,
        communities=visible_communities(request.user),
        with_loads=is_director,
        loads_page=request.GET.get("page"),
    )
    return render(
        request,
        "communities/program_detail.html",
        {
            "program": program,
            "overview": overview,
            "is_director": is_director,
            "directs_a_community": directed_communities_in(request.user, program).exists(),
        },
    )


@login_required
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    community = get_community_for_user(request.user, pk)
    return render(
        request,
        "communities/community_detail.html",
        {
            "community": community,
            "groups": selectors.community_groups(
                community=community, groups=visible_groups(request.user)
            ),
            "directors": selectors.community_directors(community=community),
            "is_director": directs_community(request.user, community),
        },
    )


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_group_for_user(request.user, pk)
    return render(
        request,
        "communities/group_detail.html",
        {
            "group": group,
            "roster": selectors.group_roster(user=request.user, group=group),
            "own_membership": own_open_learner_membership(request.user, group),
            "audit": selectors.membership_audit(group=group)
            if directs_community(request.user, group.community)
            else None,
        },
    )


@login_required
@require_POST
def share_history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    group = get_group_for_user(request.user, pk)
    membership = own_open_learner_membership(request.user, group)
    if membership is None:
        raise Http404("Not found.")
    services.membership_share_history(
        membership=membership, shares=request.POST.get("shares") == "yes"
    )
    context = {"group": group, "own_membership": membership}
    if request.htmx:
        return render(request, "communities/group_detail.html#share-history", context)
    return redirect("group", pk=group.pk)


@login_required
def change_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_group_for_user(request.user, pk)
    membership = own_open_learner_membership(request.user, group)
    if membership is None:
        raise Http404("Not found.")
    form = ChangeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_create(
                membership=membership, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Your request has gone to your community director. Your mentor is not told.",
            )
            return redirect("home")
    return render(request, "communities/change_request_new.html", {"group": group, "form": form})


@login_required
def change_requests(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_user(request.user, slug)
    communities = directed_communities_in(request.user, program)
    if not communities.exists():
        raise Http404("Not found.")
    return render(
        request,
        "communities/change_requests.html",
        {
            "program": program,
            "requests": selectors.change_requests_for(communities=communities),
        },
    )


@login_required
def change_request_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    change_request = get_change_request_for_director(request.user, pk)
    membership = change_request.membership
    groups = (
        visible_groups(request.user)
        .filter(community__program_id=membership.program_id)
        .exclude(pk=membership.group_id)
    )
    form = ChangeRequestDecisionForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_decide(
                change_request=change_request,
                decided_by=request.user,
                move_to=form.cleaned_data["move_to"],
                note=form.cleaned_data["note"],
                on=timezone.localdate(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Decision saved; the learner has been told.")
            return redirect("change_requests", slug=membership.program.slug)
    return render(
        request,
        "communities/change_request_decide.html",
        {"change_request": change_request, "form": form},
    )


@login_required
def rollover(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    form = RolloverForm(request.POST or request.GET or None)
    plan = None
    if form.is_valid():
        if request.method == "POST":
            try:
                done = services.rollover_apply(program=program, on=form.cleaned_data["on"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"Academic year closed: {len(done.graduating)} learners graduated, "
                    f"{len(done.moving_up)} moved up a year.",
                )
                return redirect("program", slug=program.slug)
        plan = selectors.rollover_preview(program=program, on=form.cleaned_data["on"])
    return render(
        request, "communities/rollover.html", {"program": program, "form": form, "plan": plan}
    )


@login_required
def firewall(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    form = ExclusionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exclusion_add(
                program=program,
                assessor=form.cleaned_data["assessor"],
                learner=form.cleaned_data["learner"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Exclusion added.")
            return redirect("firewall", slug=program.slug)
    return render(
        request,
        "communities/firewall.html",
        {
            "program": program,
            "form": form,
            "exclusions": selectors.exclusions_for(program=program),
        },
    )


@login_required
def firewall_csv(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-firewall.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["learner_email", "learner_name", "assessor_email", "assessor_name", "reason", "since"]
    )
    for exclusion in selectors.exclusions_for(program=program):
        writer.writerow(
            [
                exclusion.learner.email,
                exclusion.learner.display_name,
                exclusion.assessor.email,
                exclusion.assessor.display_name,
                exclusion.reason,
                exclusion.created_at.date().isoformat(),
            ]
        )
    return response


@login_required
def relationship_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = get_relationship_for_user(request.user, pk)
    is_party = request.user.pk in (relationship.mentor_id, relationship.mentee_id)
    end_form = RelationshipEndForm(request.POST if "end" in request.POST else None)
    reflect_form = ReflectionForm(request.POST if "reflect" in request.POST else None)
    if request.method == "POST":
        if not is_party:
            raise Http404("Not found.")
        try:
            if "pause" in request.POST:
                services.relationship_pause(relationship=relationship, person=request.user)
            elif "resume" in request.POST:
                services.relationship_resume(relationship=relationship, person=request.user)
            elif "end" in request.POST and end_form.is_valid():
                services.relationship_end(
                    relationship=relationship,
                    by=request.user,
                    end_date=timezone.localdate(),
                    status=end_form.cleaned_data["how"],
                    reflection=end_form.cleaned_data["reflection"],
                    reason=end_form.cleaned_data["reason"],
                )
            elif "reflect" in request.POST and reflect_form.is_valid():
                services.relationship_reflect(
                    relationship=relationship,
                    person=request.user,
                    reflection=reflect_form.cleaned_data["reflection"],
                )
            else:
                raise ValidationError("Check the form below.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Saved.")
            return redirect("relationship", pk=relationship.pk)
    return render(
        request,
        "communities/relationship_detail.html",
        {
            "relationship": relationship,
            "is_party": is_party,
            "end_form": end_form,
            "reflect_form": reflect_form,
        },
    )
