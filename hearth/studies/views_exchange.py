from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from hearth.communities.models import Program
from hearth.lib.http import AuthenticatedRequest
from hearth.lib.uploads import accepts_upload
from hearth.people.permissions import evaluated_programs, get_study_lead, get_study_member

from . import exchange
from .models import StudyRole

CODEBOOK_MAX = 2 * 1024 * 1024


class StudyImportForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), empty_label=None)
    file = forms.FileField(
        label="Project file",
        help_text="A .qdpx project exported from NVivo, ATLAS.ti, MAXQDA, QualCoder or "
        "Hearth, or a Dedoose excerpt export (.xlsx). Up to 50 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".qdpx,.xlsx"}),
    )

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > exchange.MAX_UPLOAD:
            raise ValidationError("The file is larger than 50 MB: nothing was imported.")
        if PurePath(upload.name).suffix.lower() not in (".qdpx", ".xlsx"):
            raise ValidationError(
                f"{upload.name} is not a .qdpx project or a Dedoose .xlsx export."
            )
        return upload


class CodebookFileForm(forms.Form):
    file = forms.FileField(
        label="Codebook file",
        help_text="A REFI-QDA codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA or Hearth, or "
        "QualCoder's plain codebook text (.txt: category>>code, a tab, then a memo). Up to 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".qdc,.txt"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > CODEBOOK_MAX:
            raise ValidationError("The file is larger than 2 MB: nothing was imported.")
        if PurePath(upload.name).suffix.lower() not in (".qdc", ".txt"):
            raise ValidationError(f"{upload.name} is not a .qdc codebook or a .txt code list.")
        return upload


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@accepts_upload(exchange.MAX_UPLOAD)
def study_import(request: AuthenticatedRequest) -> HttpResponse:
    programs = evaluated_programs(request.user)
    if not programs.exists():
        raise Http404("Only evaluators import studies.")
    form = StudyImportForm(request.POST or None, request.FILES or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            study = exchange.study_import_file(
                program=form.cleaned_data["program"],
                by=request.user,
                data=upload.read(),
                filename=upload.name,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            messages.success(
                request, f"Imported “{study.title}”: {exchange.import_summary(study)}."
            )
            return redirect("study", study.pk)
    return render(
        request, "studies/exchange_import.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def study_qdpx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    study = member.study
    # Item-level data with participant attributes: the rule of the de-identified dataset.
    if not study.approved_protocol:
        raise Http404("The study is exported under an approved protocol only.")
    data = exchange.study_export_qdpx(study, member)
    exchange.qdpx_export_record(
        study=study, by=request.user, segments=exchange.exported_segments(study, member)
    )
    return _download(data, "application/zip", f"study-{study.pk}.qdpx")


@login_required
def codebook_qdc(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    data = exchange.codebook_export_qdc(member.study.codebook)
    return _download(data, "application/xml", f"study-{member.study.pk}-codebook.qdc")


@login_required
@accepts_upload(CODEBOOK_MAX)
def codebook_exchange(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_lead(request.user, pk)
    study = member.study
    form = CodebookFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            if upload.name.lower().endswith(".qdc"):
                made = exchange.codebook_import_qdc(
                    codebook=study.codebook, by=request.user, data=data
                )
            else:
                made = exchange.codebook_import_qualcoder(
                    codebook=study.codebook, by=request.user, text=_text(data)
                )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            messages.success(request, f"{len(made)} codes added from {upload.name}.")
            return redirect("codebook", study.pk)
    return render(
        request,
        "studies/exchange_codebook.html",
        {"study": study, "member": member, "form": form, "lead": StudyRole.LEAD},
        status=400 if form.errors else 200,
    )


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
