from __future__ import annotations

import csv
import io
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from hearth.lib.http import AuthenticatedRequest
from hearth.lib.uploads import accepts_upload
from hearth.people.permissions import (
    evaluated_programs,
    get_code_for_member,
    get_own_segment,
    get_participant_for_member,
    get_source_for_member,
    get_study_coder,
    get_study_lead,
    get_study_member,
    get_theme_for_member,
)
from hearth.pulse.models import PulseWave

from . import deidentify, documents, forms, models, selectors, services
from .importers import MAX_BYTES, ParsedSource, SourceError, Turn, parse_source
from .models import CodedSegment, Consent, StudyMember, StudyRole
from .starter import PALETTE

IMPORT_MAX_AGE = 6 * 3600  # seconds a preview stays valid

CODEBOOK_FILE_MAX = 2 * 1024 * 1024


def _errors(request: AuthenticatedRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _back(request: AuthenticatedRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# -- Studies ---------------------------------------------------------------------------------


@login_required
def study_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "studies/study_list.html",
        {
            "memberships": selectors.studies_of(request.user),
            "may_start": evaluated_programs(request.user).exists(),
        },
    )


@login_required
def study_new(request: AuthenticatedRequest) -> HttpResponse:
    programs = evaluated_programs(request.user)
    if not programs.exists():
        raise Http404("Only evaluators start studies.")
    form = forms.StudyNewForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study = services.study_create(
                program=data["program"],
                by=request.user,
                title=data["title"],
                research_question=data["research_question"],
                guide=form.guide_lines(),
                starter_codebook=data["starter_codebook"],
                approved_protocol=data["approved_protocol"],
                protocol_reference=data["protocol_reference"],
                keep_originals=data["keep_originals"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The study is ready. Add participants, then sources.")
            return redirect("study", study.pk)
    return render(request, "studies/study_new.html", {"form": form})


@login_required
def study_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    study = member.study
    mine = selectors.visible_segments(study, member)
    sources = list(
        study.sources.select_related("participant")
        .order_by("title")
        .only("pk", "study_id", "title", "kind", "participant__pseudonym", "deidentified_at")
    )
    counts: dict[int, int] = {}
    for source_id in mine.values_list("source_id", flat=True):
        counts[source_id] = counts.get(source_id, 0) + 1
    turn_counts = {
        r["source_id"]: r["n"]
        for r in models.Turn.objects.filter(source__study=study)
        .values("source_id")
        .annotate(n=Count("pk"))
    }
    for s in sources:
        s.n_segments = counts.get(s.pk, 0)  # type: ignore[attr-defined]
        s.n_turns = turn_counts.get(s.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "studies/study_detail.html",
        {
            "member": member,
            "study": study,
            "sources": sources,
            "team": list(study.members.select_related("person")),
            "guide": list(study.guide.all()),
            "participants": study.participants.filter(withdrawn_at__isnull=True).count(),
        },
    )


@login_required
def study_settings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_lead(request.user, pk)
    study = member.study
    initial = {
        "title": study.title,
        "research_question": study.research_question,
        "guide": "\n".join(q.text for q in study.guide.all()),
        "approved_protocol": study.approved_protocol,
        "protocol_reference": study.protocol_reference,
        "keep_originals": study.keep_originals,
    }
    form = forms.StudyForm(request.POST if "title" in request.POST else None, initial=initial)
    member_form = forms.MemberForm(request.POST if "email" in request.POST else None)
    if request.method == "POST":
        try:
            if form.is_bound and form.is_valid():
                data = form.cleaned_data
                services.study_update(
                    study=study,
                    by=request.user,
                    title=data["title"],
                    research_question=data["research_question"],
                    guide=form.guide_lines(),
                    approved_protocol=data["approved_protocol"],
                    protocol_reference=data["protocol_reference"],
                    keep_originals=data["keep_originals"],
                )
                messages.success(request, "The study's set-up is saved.")
                return redirect("study_settings", study.pk)
            if member_form.is_bound and member_form.is_valid():
                added = services.member_add(
                    study=study,
                    by=request.user,
                    email=member_form.cleaned_data["email"],
                    role=member_form.cleaned_data["role"],
                )
                messages.success(
                    request, f"{added.person} is now {added.get_role_display().lower()}."
                )
                return redirect("study_settings", study.pk)
        except ValidationError as error:
            (form if form.is_bound else member_form).add_error(None, error)
    return render(
        request,
        "studies/study_settings.html",
        {
            "study": study,
            "member": member,
            "form": form,
            "member_form": member_form,
            "team": list(study.members.select_related("person")),
        },
    )


@require_POST
@login_required
def member_remove(request: AuthenticatedRequest, pk: int, member_pk: int) -> HttpResponse:
    lead = get_study_lead(request.user, pk)
    target = lead.study.members.filter(pk=member_pk).select_related("person").first()
    if target is None:
        raise Http404("Not found.")
    try:
        services.member_remove(member=target, by=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, f"{target.person} is no longer on the team.")
    return redirect("study_settings", pk)


@require_POST
@login_required
def reconciliation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    lead = get_study_lead(request.user, pk)
    opening = request.POST.get("open") == "1"
    services.reconciliation_set(study=lead.study, by=request.user, open_=opening)
    messages.success(
        request,
        "Reconciliation is open: everyone now sees every coder's codes."
        if opening
        else "Reconciliation is closed: each coder sees only their own codes again.",
    )
    return redirect("study", pk)


@login_required
def study_audit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    events = list(member.study.events.select_related("actor")[:300])
    return render(
        request,
        "studies/study_audit.html",
        {"study": member.study, "member": member, "events": events},
    )


# -- Participants and consent -----------------------------------------------------------------


@login_required
def participants(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    study = member.study
    attributes = list(study.attributes.all())
    lead = member.role == StudyRole.LEAD
    form = forms.ParticipantForm(
        request.POST if lead and "pseudonym" in request.POST else None, attributes=attributes
    )
    attribute_form = forms.AttributeForm(request.POST if lead and "label" in request.POST else None)
    if request.method == "POST":
        if not lead:
            raise Http404("Not found.")
        try:
            if form.is_bound and form.is_valid():
                data = form.cleaned_data
                person = None
                if data["email"]:
                    person = services.roster_person(study=study, email=data["email"])
                services.participant_add(
                    study=study,
                    by=request.user,
                    pseudonym=data["pseudonym"],
                    person=person,
                    external_id=data["external_id"],
                    aliases=data["aliases"],
                    values=forms.attribute_values(form, attributes),
                    consent_given_on=data["consent_given_on"],
                    consent_note=data["consent_note"],
                )
                messages.success(request, f"{data['pseudonym']} is a participant.")
                return redirect("study_participants", study.pk)
            if attribute_form.is_bound and attribute_form.is_valid():
                services.attribute_define(
                    study=study,
                    label=attribute_form.cleaned_data["label"],
                    choices=attribute_form.choice_list(),
                )
                messages.success(request, "The attribute is added.")
                return redirect("study_participants", study.pk)
        except ValidationError as error:
            (form if form.is_bound else attribute_form).add_error(None, error)
    rows = selectors.participants_page(study)
    for p in rows:
        values = {v.attribute_id: v.value for v in p.values.all()}
        p.value_list = [values.get(a.pk, "") for a in attributes]  # type: ignore[attr-defined]
        p.consented = any(  # type: ignore[attr-defined]
            c.source_id is None and c.active
            for c in p.consent_list  # type: ignore[attr-defined]
        )
    return render(
        request,
        "studies/participants.html",
        {
            "study": study,
            "member": member,
            "attributes": attributes,
            "participants": rows,
            "form": form,
            "attribute_form": attribute_form,
        },
    )


@login_required
def participant_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    participant = get_participant_for_member(request.user, pk)
    member = get_study_member(request.user, participant.study_id)
    study = member.study
    attributes = list(study.attributes.all())
    lead = member.role == StudyRole.LEAD
    current = {v.attribute.key: v.value for v in participant.values.select_related("attribute")}
    values_form = forms.ValuesForm(
        request.POST if lead and "values" in request.POST else None,
        attributes=attributes,
        initial={f"attr_{k}": v for k, v in current.items()},
    )
    consent_form = forms.ConsentForm(request.POST if lead and "given_on" in request.POST else None)
    if request.method == "POST":
        if not lead:
            raise Http404("Not found.")
        try:
            if values_form.is_bound and values_form.is_valid():
                services.participant_values_set(
                    participant=participant, values=forms.attribute_values(values_form, attributes)
                )
                messages.success(request, "Saved.")
                return redirect("participant", participant.pk)
            if consent_form.is_bound and consent_form.is_valid():
                services.consent_record(
                    participant=participant,
                    by=request.user,
                    given_on=consent_form.cleaned_data["given_on"],
                    note=consent_form.cleaned_data["note"],
                )
                messages.success(request, "Consent recorded.")
                return redirect("participant", participant.pk)
        except ValidationError as error:
            (values_form if values_form.is_bound else consent_form).add_error(None, error)
    return render(
        request,
        "studies/participant_detail.html",
        {
            "study": study,
            "member": member,
            "participant": participant,
            "values": [(a.label, current.get(a.key, "")) for a in attributes],
            "consents": list(participant.consents.select_related("source", "recorded_by")),
            "sources": list(participant.sources.all()),
            "values_form": values_form,
            "consent_form": consent_form,
        },
    )


@require_POST
@login_required
def consent_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    consent = Consent.objects.filter(pk=pk).select_related("participant__study", "source").first()
    if consent is None:
        raise Http404("Not found.")
    get_study_lead(request.user, consent.participant.study_id)
    try:
        done = services.consent_withdraw(consent=consent, by=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            f"Consent withdrawn: {done.sources} source(s) and {done.segments} coded segment(s) "
            "removed from the study and its exports. The audit trail records that it happened.",
        )
    return redirect("participant", consent.participant_id)


# -- Sources -----------------------------------------------------------------------------------


def _payload_salt(study_pk: int, user_pk: int) -> str:
    return f"hearth.studies.import:{study_pk}:{user_pk}"


def _pack(parsed: ParsedSource, filename: str, salt: str) -> str:
    turns = [[t.start, t.end, t.speaker, t.begins_at, t.ends_at] for t in parsed.turns]
    return signing.dumps(
        {"f": filename, "k": parsed.kind, "t": parsed.text, "u": turns}, salt=salt, compress=True
    )


def _unpack(payload: str, salt: str) -> tuple[ParsedSource, str]:
    data = signing.loads(payload, salt=salt, max_age=IMPORT_MAX_AGE)
    turns = tuple(Turn(s, e, sp, b, x) for s, e, sp, b, x in data["u"])
    return ParsedSource(data["t"], turns, data["k"]), data["f"]


def _preview(parsed: ParsedSource) -> dict[str, Any]:
    speakers: dict[str, int] = {}
    for t in parsed.turns:
        speakers[t.speaker] = speakers.get(t.speaker, 0) + 1
    return {
        "kind": parsed.kind,
        "words": len(parsed.text.split()),
        "characters": len(parsed.text),
        "turns": len(parsed.turns),
        "speakers": speakers,
        "first": [
            {
                "speaker": t.speaker,
                "time": selectors._clock(t.begins_at),
                "words": parsed.text[t.start : t.end],
            }
            for t in parsed.turns[:12]
        ],
        "text_start": parsed.text[:1500] if not parsed.turns else "",
    }


@login_required
@accepts_upload(MAX_BYTES)
def source_import(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_lead(request.user, pk)
    study = member.study
    salt = _payload_salt(study.pk, request.user.pk)
    people = study.participants.filter(withdrawn_at__isnull=True)
    context: dict[str, Any] = {"study": study, "member": member}
    if request.method == "POST" and "payload" in request.POST:
        try:
            parsed, filename = _unpack(request.POST["payload"], salt)
        except signing.BadSignature:
            messages.error(request, "That preview has expired: upload the file again.")
            return redirect("source_import", study.pk)
        speakers = list(dict.fromkeys(t.speaker for t in parsed.turns if t.speaker))
        confirm = forms.ImportConfirmForm(request.POST, participants=people, speakers=speakers)
        if confirm.is_valid():
            try:
                source = services.source_import(
                    study=study,
                    by=request.user,
                    title=confirm.cleaned_data["title"],
                    parsed=parsed,
                    filename=filename,
                    participant=confirm.cleaned_data["participant"],
                    speakers=confirm.speaker_map(),
                )
            except ValidationError as error:
                confirm.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"“{source.title}” is imported. Review the de-identification before coding.",
                )
                return redirect("source_deidentify", source.pk)
        context.update(confirm=confirm, preview=_preview(parsed), filename=filename)
        return render(request, "studies/source_import.html", context)

    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_BYTES:
                raise SourceError(f"the file is larger than {MAX_BYTES // 1024 // 1024} MB")
            parsed = parse_source(upload.name, upload.read())
            if not parsed.text.strip():
                raise SourceError("the file has no text")
        except SourceError as error:
            form.add_error("file", f"Nothing was imported: {error}.")
        else:
            filename = PurePath(upload.name).name
            speakers = list(dict.fromkeys(t.speaker for t in parsed.turns if t.speaker))
            confirm = forms.ImportConfirmForm(
                initial={
                    "payload": _pack(parsed, filename, salt),
                    "title": PurePath(filename).stem.replace("_", " ").replace("-", " "),
                },
                participants=people,
                speakers=speakers,
            )
            context.update(confirm=confirm, preview=_preview(parsed), filename=filename)
            return render(request, "studies/source_import.html", context)
    context["form"] = form
    return render(
        request, "studies/source_import.html", context, status=400 if form.errors else 200
    )


@login_required
def pulse_import(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_lead(request.user, pk)
    study = member.study
    waves = PulseWave.objects.filter(program=study.program).order_by("-opens_on")
    form = forms.PulseForm(request.POST or None, waves=waves)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.pulse_sources_sync(
                study=study, by=request.user, wave=form.cleaned_data["wave"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{done.added} answer(s) brought in; {done.removed} removed whose authors "
                "withdrew.",
            )
            return redirect("study", study.pk)
    return render(
        request, "studies/pulse_import.html", {"study": study, "member": member, "form": form}
    )


def _replacements_from(post: Any) -> list[deidentify.Replacement]:
    """The reviewer's accepted proposals and own replacements of suspects, from the form."""
    chosen = []
    for prefix in ("r", "s"):
        count = int(post.get(f"{prefix}-count", "0") or 0)
        for i in range(count):
            key = f"{prefix}-{i}"
            replacement = post.get(f"{key}-replacement", "").strip()
            if prefix == "r" and not post.get(f"{key}-accept"):
                continue
            if not replacement:
                continue
            try:
                start, end = int(post[f"{key}-start"]), int(post[f"{key}-end"])
            except (KeyError, ValueError) as error:
                raise ValidationError("The review form is incomplete: open it again.") from error
            kind = post.get(f"{key}-kind", "term")
            chosen.append(
                deidentify.Replacement(
                    start,
                    end,
                    post.get(f"{key}-original", ""),
                    replacement,
                    kind if kind in ("name", "email", "phone", "term") else "term",
                )
            )
    return chosen


@login_required
def source_deidentify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    source = get_source_for_member(request.user, pk)
    member = get_study_lead(request.user, source.study_id)
    if request.method == "POST":
        try:
            replacements = _replacements_from(request.POST)
            services.source_deidentify(source=source, by=request.user, replacements=replacements)
        except ValidationError as error:
            _errors(request, error)
            return redirect("source_deidentify", source.pk)
        messages.success(
            request,
            f"De-identified: {len(replacements)} "
            f"replacement{'' if len(replacements) == 1 else 's'} made."
            + ("" if source.study.keep_originals else " The original text was not kept."),
        )
        return redirect("source_code", source.pk)
    proposal = services.deidentification_proposal(source)
    text = source.text

    def around(start: int, end: int) -> tuple[str, str, str]:
        return (
            text[max(0, start - 50) : start].replace("\n", " "),
            text[start:end],
            text[end : end + 50].replace("\n", " "),
        )

    return render(
        request,
        "studies/source_deidentify.html",
        {
            "study": source.study,
            "member": member,
            "source": source,
            "replacements": [(r, *around(r.start, r.end)) for r in proposal.replacements],
            "suspects": [(s, *around(s.start, s.end)) for s in proposal.unhandled],
        },
    )


@login_required
@vary_on_headers("HX-Request")
def source_code(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    source = get_source_for_member(request.user, pk)
    member = get_study_member(request.user, source.study_id)
    page = selectors.coding_page(source, member)
    memo_on = request.GET.get("memo", "")
    return render(
        request,
        "studies/source_code.html",
        {
            "study": source.study,
            "member": member,
            "page": page,
            "source": source,
            "source_memos": list(source.memos.select_related("author")),
            "memo_row": next(
                (
                    r
                    for r in page.segments
                    if str(r.segment.pk) == memo_on and r.segment.coder_id == request.user.pk
                ),
                None,
            ),
        },
    )


def _coding_update(
    request: AuthenticatedRequest, source: Any, member: StudyMember, start: int, end: int
) -> HttpResponse:
    if not request.htmx:
        return redirect(reverse("source_code", args=[source.pk]) + f"#at-{start}")
    page = selectors.coding_page(source, member, around=(start, end))
    return render(
        request,
        "studies/source_code.html#update",
        {"study": source.study, "member": member, "source": source, "page": page},
    )


@require_POST
@login_required
def segment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    source = get_source_for_member(request.user, pk)
    member = get_study_coder(request.user, source.study_id)
    try:
        start, end = int(request.POST.get("start", "")), int(request.POST.get("end", ""))
    except ValueError:
        start = end = 0
    codes = list(
        forms.active_codes(source.study.codebook).filter(
            pk__in=[c for c in request.POST.getlist("codes") if c.isdigit()]
        )
    )
    try:
        services.segments_add(source=source, coder=request.user, start=start, end=end, codes=codes)
    except ValidationError as error:
        if request.htmx:
            return HttpResponse(" ".join(error.messages), status=422)
        _errors(request, error)
    return _coding_update(request, source, member, start, end)


@require_POST
@login_required
def segment_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    segment = get_own_segment(request.user, pk)
    source = segment.source
    member = get_study_coder(request.user, source.study_id)
    start, end = segment.start, segment.end
    services.segment_remove(segment=segment, by=request.user)
    return _coding_update(request, source, member, start, end)


@require_POST
@login_required
def memo_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    study = member.study
    target, target_id = request.POST.get("target", ""), request.POST.get("target_id", "")
    code = source = segment = None
    if target == "code" and target_id.isdigit():
        code = get_code_for_member(request.user, int(target_id))
    elif target == "source" and target_id.isdigit():
        source = get_source_for_member(request.user, int(target_id))
    elif target == "segment" and target_id.isdigit():
        segment = get_own_segment(request.user, int(target_id))
    try:
        services.memo_add(
            study=study,
            author=request.user,
            text=request.POST.get("text", ""),
            code=code,
            source=source,
            segment=segment,
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, "Memo saved.")
    return redirect(_back(request, reverse("study", args=[study.pk])))


# -- Codebook ----------------------------------------------------------------------------------


@login_required
@accepts_upload(CODEBOOK_FILE_MAX)
def codebook(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    study = member.study
    book = study.codebook
    codes = forms.active_codes(book)
    form = forms.CodeForm(
        request.POST if "name" in request.POST else None,
        codes=codes,
        initial={"colour": PALETTE[book.codes.count() % len(PALETTE)]},
    )
    import_form = forms.CodebookImportForm(
        request.POST if "import" in request.POST else None,
        request.FILES if "import" in request.POST else None,
    )
    if request.method == "POST":
        lead = member.role == StudyRole.LEAD
        try:
            if form.is_bound:
                if not member.codes:
                    raise Http404("Not found.")
                if form.is_valid():
                    data = form.cleaned_data
                    code = services.code_create(
                        codebook=book,
                        by=request.user,
                        name=data["name"],
                        parent=data["parent"],
                        definition=data["definition"],
                        use_when=data["use_when"],
                        not_when=data["not_when"],
                        example=data["example"],
                        colour=data["colour"],
                    )
                    messages.success(request, f"“{code.name}” is in the codebook.")
                    return redirect(_back(request, reverse("codebook", args=[study.pk])))
            elif "version" in request.POST and lead:
                version = services.codebook_version_save(
                    codebook=book, by=request.user, note=request.POST.get("note", "")
                )
                messages.success(request, f"Saved as version {version.number}.")
                return redirect("codebook", study.pk)
            elif import_form.is_bound and lead:
                if import_form.is_valid():
                    rows = _codebook_rows(import_form.cleaned_data["file"])
                    made = services.codebook_import(codebook=book, by=request.user, rows=rows)
                    messages.success(request, f"{len(made)} codes added.")
                    return redirect("codebook", study.pk)
            else:
                raise Http404("Not found.")
        except ValidationError as error:
            target = form if form.is_bound else import_form
            for message in error.messages:
                target.add_error(None, message)
    counts = selectors.code_counts(study, member)
    return render(
        request,
        "studies/codebook.html",
        {
            "study": study,
            "member": member,
            "tree": selectors.code_tree(book, counts),
            "form": form,
            "import_form": import_form,
            "versions": list(
                book.versions.filter(saved_at__isnull=False).select_related("saved_by")
            ),
            "open_version": services.open_version(book) if member.role == StudyRole.LEAD else None,
            "changes": list(
                models.CodeChange.objects.filter(version__codebook=book).select_related(
                    "version", "by"
                )[:50]
            ),
            "framework": list(study.framework.all()),
        },
    )


def _codebook_rows(upload: Any) -> list[services.CodeRow]:
    if upload.size > CODEBOOK_FILE_MAX:
        raise ValidationError("Nothing was imported: the codebook file is larger than 2 MB.")
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        reader = csv.DictReader(io.StringIO(text))
        fields = {f.strip().lower() for f in (reader.fieldnames or [])}
        if "name" not in fields:
            raise ValidationError("Nothing was imported: the CSV needs a column named “name”.")
        rows = []
        for raw_row in reader:
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw_row.items()}
            rows.append(
                services.CodeRow(
                    name=row.get("name", ""),
                    parent=row.get("parent", ""),
                    definition=row.get("definition", ""),
                    use_when=row.get("use_when", ""),
                    not_when=row.get("not_when", ""),
                    example=row.get("example", ""),
                    colour=row.get("colour", "") or row.get("color", ""),
                )
            )
    except csv.Error as error:
        raise ValidationError(f"Nothing was imported: the CSV cannot be read ({error}).") from error
    if not rows:
        raise ValidationError("Nothing was imported: the CSV has no codes.")
    return rows


@login_required
def code_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    code = get_code_for_member(request.user, pk)
    member = get_study_member(request.user, code.codebook.study_id)
    study = member.study
    others = forms.active_codes(code.codebook).exclude(pk=code.pk)
    lead = member.role == StudyRole.LEAD
    action = request.POST.get("action", "")
    edit = forms.CodeForm(
        request.POST if action == "edit" else None,
        codes=others,
        initial={
            "name": code.name,
            "definition": code.definition,
            "use_when": code.use_when,
            "not_when": code.not_when,
            "example": code.example,
            "colour": code.colour,
            "parent": code.parent,
        },
    )
    move = forms.MoveForm(
        request.POST if action == "move" else None, codes=others, initial={"parent": code.parent}
    )
    merge = forms.MergeForm(request.POST if action == "merge" else None, codes=others)
    split = forms.SplitForm(request.POST if action == "split" else None)
    if request.method == "POST":
        if not lead or not code.active:
            raise Http404("Not found.")
        try:
            if action == "edit" and edit.is_valid():
                d = edit.cleaned_data
                services.code_update(
                    code=code,
                    by=request.user,
                    name=d["name"],
                    definition=d["definition"],
                    use_when=d["use_when"],
                    not_when=d["not_when"],
                    example=d["example"],
                    colour=d["colour"] or code.colour,
                )
                messages.success(request, "Saved; the history keeps what it was.")
                return redirect("code", code.pk)
            if action == "move" and move.is_valid():
                services.code_move(code=code, by=request.user, parent=move.cleaned_data["parent"])
                messages.success(request, "Moved.")
                return redirect("code", code.pk)
            if action == "merge" and merge.is_valid():
                services.code_merge(
                    codes=list(merge.cleaned_data["others"]), into=code, by=request.user
                )
                messages.success(request, "Merged: their codings now carry this code.")
                return redirect("code", code.pk)
            if action == "split" and split.is_valid():
                made = services.code_split(
                    code=code,
                    by=request.user,
                    names=split.name_list(),
                    segments_to=split.cleaned_data["takes"] - 1,
                )
                messages.success(request, "Split. Recode the codings from the new code's page.")
                return redirect("code", made[split.cleaned_data["takes"] - 1].pk)
        except ValidationError as error:
            target = {"edit": edit, "move": move, "merge": merge, "split": split}[action]
            for message in error.messages:
                target.add_error(None, message)
    rows = selectors.segments_of_code(code, member)
    return render(
        request,
        "studies/code_detail.html",
        {
            "study": study,
            "member": member,
            "code": code,
            "rows": rows,
            "memos": list(code.memos.select_related("author")),
            "changes": list(code.changes.select_related("version", "by")),
            "edit": edit,
            "move": move,
            "merge": merge,
            "split": split,
            "children": list(code.children.filter(retired_at__isnull=True)),
        },
    )


# -- Retrieval and agreement --------------------------------------------------------------------


@login_required
def study_search(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    query = request.GET.get("q", "")
    hits, total = selectors.search(member.study, query)
    return render(
        request,
        "studies/search.html",
        {"study": member.study, "member": member, "query": query, "hits": hits, "total": total},
    )


@login_required
def cooccurrence(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    return render(
        request,
        "studies/cooccurrence.html",
        {
            "study": member.study,
            "member": member,
            "matrix": selectors.cooccurrence(member.study, member),
        },
    )


@login_required
def agreement_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    study = member.study
    coders = selectors.coding_members(study)
    sources = list(study.sources.order_by("title"))
    chosen_coders = [c for c in coders if str(c.person_id) in request.GET.getlist("coder")]
    chosen_coders = chosen_coders or coders
    chosen_sources = [s for s in sources if str(s.pk) in request.GET.getlist("source")] or sources
    unit = request.GET.get("unit", "turn")
    if unit not in selectors.UNITS:
        unit = "turn"
    show = request.GET.get("show") == "disagreements"
    code = None
    if request.GET.get("code", "").isdigit():
        code = study.codebook.codes.filter(pk=int(request.GET["code"])).first()
    view = None
    if len(chosen_coders) >= 2 and chosen_sources:
        view = selectors.agreement_view(
            study,
            coders=chosen_coders,
            sources=chosen_sources,
            unit=unit,
            with_disagreements=show and study.reconciliation_open,
            disagreement_code=code,
        )
    return render(
        request,
        "studies/agreement.html",
        {
            "study": study,
            "member": member,
            "coders": coders,
            "sources": sources,
            "chosen_coders": {c.person_id for c in chosen_coders},
            "chosen_sources": {s.pk for s in chosen_sources},
            "unit": unit,
            "units": selectors.UNITS,
            "view": view,
            "show": show,
            "code": code,
            "query": request.GET.urlencode(),
        },
    )


# -- Themes and the report ---------------------------------------------------------------------


@login_required
def themes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    study = member.study
    form = forms.ThemeForm(
        request.POST or None,
        codes=forms.active_codes(study.codebook),
        categories=forms.framework_of(study),
    )
    if request.method == "POST":
        if member.role != StudyRole.LEAD:
            raise Http404("Not found.")
        if form.is_valid():
            d = form.cleaned_data
            try:
                theme = services.theme_save(
                    study=study,
                    name=d["name"],
                    definition=d["definition"],
                    codes=list(d["codes"]),
                    categories=list(d["categories"]),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Theme “{theme.name}” added.")
                return redirect("study_themes", study.pk)
    return render(
        request,
        "studies/themes.html",
        {
            "study": study,
            "member": member,
            "themes": list(study.themes.prefetch_related("codes", "categories")),
            "form": form,
        },
    )


@login_required
def theme_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    theme = get_theme_for_member(request.user, pk)
    member = get_study_member(request.user, theme.study_id)
    study = member.study
    form = forms.ThemeForm(
        request.POST if request.POST.get("action") == "edit" else None,
        codes=forms.active_codes(study.codebook),
        categories=forms.framework_of(study),
        initial={
            "name": theme.name,
            "definition": theme.definition,
            "codes": list(theme.codes.all()),
            "categories": list(theme.categories.all()),
        },
    )
    if request.method == "POST":
        if member.role != StudyRole.LEAD:
            raise Http404("Not found.")
        action = request.POST.get("action")
        if action == "delete":
            services.theme_delete(theme=theme)
            messages.success(request, "Theme deleted.")
            return redirect("study_themes", study.pk)
        if action == "exemplar":
            segment = CodedSegment.objects.filter(
                pk=request.POST.get("segment", "0") or 0, source__study=study
            ).first()
            if segment is None:
                raise Http404("Not found.")
            chosen = services.theme_exemplar_toggle(theme=theme, segment=segment)
            messages.success(request, "Quote chosen." if chosen else "Quote no longer chosen.")
            return redirect("theme", theme.pk)
        if action == "edit" and form.is_valid():
            d = form.cleaned_data
            services.theme_save(
                study=study,
                theme=theme,
                name=d["name"],
                definition=d["definition"],
                codes=list(d["codes"]),
                categories=list(d["categories"]),
            )
            messages.success(request, "Theme saved.")
            return redirect("theme", theme.pk)
    candidates = []
    picked = set(theme.exemplars.values_list("pk", flat=True))
    for code in theme.codes.all():
        candidates += selectors.segments_of_code(code, member)
    return render(
        request,
        "studies/theme_detail.html",
        {
            "study": study,
            "member": member,
            "theme": theme,
            "form": form,
            "candidates": candidates,
            "chosen": picked,
        },
    )


@login_required
def report_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    return render(
        request,
        "studies/report.html",
        {
            "study": member.study,
            "member": member,
            "report": selectors.report(member.study, member),
        },
    )


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def report_docx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    report = selectors.report(member.study, member)
    return _download(
        documents.report_docx(report),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"study-{member.study.pk}-report.docx",
    )


@login_required
def report_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    report = selectors.report(member.study, member)
    return _download(
        documents.report_pdf(report), "application/pdf", f"study-{member.study.pk}-report.pdf"
    )


def _csv(columns: list[str], rows: list[dict[str, Any]], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.DictWriter(response, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return response


@login_required
def segments_csv(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    columns, rows = selectors.export_rows(member.study, member, anonymous_coders=False)
    return _csv(columns, rows, f"study-{member.study.pk}-coded-segments.csv")


@login_required
def dataset_csv(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    if not member.study.approved_protocol:
        raise Http404("The dataset is exported under an approved protocol only.")
    columns, rows = selectors.export_rows(member.study, member, anonymous_coders=True)
    services.export_record(study=member.study, by=request.user, rows=len(rows))
    return _csv(columns, rows, f"study-{member.study.pk}-dataset.csv")
