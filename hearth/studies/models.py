"""Studies: qualitative evaluation of a program — sources, codebooks, coding, themes.

Every coded segment is a pair of character offsets into its source's fixed plain text
(REFI-QDA's PlainTextSelection), so codings survive exchange with other tools. Codes,
sources, segments, participants, memos and members carry stable GUIDs for that exchange.
Only a study's members see it, through the one permission rule.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Study(models.Model):
    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="studies"
    )
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    research_question = models.TextField()
    approved_protocol = models.BooleanField(
        default=False,
        help_text="An ethics board approved the protocol: the team may export item-level data.",
    )
    protocol_reference = models.CharField(
        max_length=80, blank=True, help_text="The approval's number, e.g. IRB-2025-0142."
    )
    keep_originals = models.BooleanField(
        default=False,
        help_text="Keep each transcript's text as it was before de-identification.",
    )
    reconciliation_opened_at = models.DateTimeField(
        null=True, blank=True, help_text="Coders see each other's codes from this moment."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.title

    @property
    def reconciliation_open(self) -> bool:
        return self.reconciliation_opened_at is not None


class GuideQuestion(models.Model):
    """One question of the interview guide."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="guide")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["study", "position"]

    def __str__(self) -> str:
        return self.text[:60]


class StudyRole(models.TextChoices):
    LEAD = "lead", "Study lead"
    CODER = "coder", "Coder"
    VIEWER = "viewer", "Viewer"


class StudyMember(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_memberships"
    )
    role = models.CharField(max_length=10, choices=StudyRole.choices)
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # REFI-QDA User
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["study", "role", "person__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["study", "person"], name="study_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} of {self.study}"

    @property
    def codes(self) -> bool:
        return self.role in (StudyRole.LEAD, StudyRole.CODER)


class Participant(models.Model):
    """Someone studied: a Hearth person or an external pseudonymous ID; shown by pseudonym."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="participants")
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # REFI-QDA Case
    pseudonym = models.CharField(max_length=40)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="study_participations",
    )
    external_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="The study's own identifier for someone outside Hearth.",
    )
    aliases = models.CharField(
        max_length=300,
        blank=True,
        help_text="Names the participant may be called in transcripts, comma-separated; used "
        "only to find and replace them.",
    )
    added_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["study", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["study", "pseudonym"], name="participant_pseudonym"),
            models.UniqueConstraint(
                fields=["study", "person"],
                condition=models.Q(person__isnull=False),
                name="participant_person_once",
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class AttributeDefinition(models.Model):
    """A participant attribute the study describes people by (rank, gender...)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="attributes")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=80)
    choices = models.JSONField(default=list, blank=True, help_text="Empty means free text.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["study", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["study", "key"], name="study_attribute_key_unique")
        ]

    def __str__(self) -> str:
        return self.label


class AttributeValue(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="values")
    attribute = models.ForeignKey(
        AttributeDefinition, on_delete=models.CASCADE, related_name="values"
    )
    value = models.CharField(max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "attribute"], name="attribute_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attribute}: {self.value}"


class SourceKind(models.TextChoices):
    TEXT = "text", "Plain text"
    DOCX = "docx", "Word document"
    PDF = "pdf", "PDF"
    VTT = "vtt", "WebVTT captions"
    SRT = "srt", "SRT captions"
    PULSE = "pulse", "Pulse free-text answer"
    AUDIO = "audio", "Audio recording"


class SegmentOrigin(models.TextChoices):
    CODED = "coded", "Coded by hand"
    IMPORTED = "imported", "Imported from another tool"
    SUGGESTED = "suggested", "Suggested and accepted"


class Source(models.Model):
    """A transcript or answer as one fixed plain text; codings point into it by offset."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sources")
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=SourceKind.choices)
    filename = models.CharField(max_length=255, blank=True)
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        help_text="The person interviewed; empty for a group or an unattributed source.",
    )
    text = models.TextField(help_text="The fixed plain text codings point into.")
    original_text = models.TextField(
        blank=True, help_text="Before de-identification; kept only when the study allows it."
    )
    deidentified_at = models.DateTimeField(null=True, blank=True)
    pulse_response = models.OneToOneField(
        "pulse.PulseResponse",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="study_source",
    )
    # For audio exchange (REFI-QDA AudioSource); turns carry their times.
    audio = models.FileField(upload_to="studies/audio/", blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["study", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def words(self) -> int:
        return len(self.text.split())


class Turn(models.Model):
    """A speaker turn: text[start:end] is what the speaker said."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="turns")
    index = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    speaker = models.CharField(max_length=120, blank=True)
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="turns"
    )
    begins_at = models.FloatField(null=True, blank=True, help_text="Seconds into the recording.")
    ends_at = models.FloatField(null=True, blank=True)
    # The speaker withdrew consent: their words are blanked out (same length, so the offsets
    # of everyone else's codings hold) and shown as withdrawn.
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["source", "index"]
        constraints = [
            models.UniqueConstraint(fields=["source", "index"], name="turn_index_unique"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="turn_span"),
        ]

    def __str__(self) -> str:
        return f"{self.speaker or 'Turn'} {self.index + 1}"


class JobStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a model to be installed"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Transcription(models.Model):
    """Turning a source's recording into its timed turns, as a background job."""

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="transcription")
    model_key = models.CharField(
        max_length=200, help_text="tiny.en, base, or the site's own model folder."
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent of the audio.")
    audio_seconds = models.FloatField(null=True, blank=True)
    processing_seconds = models.FloatField(null=True, blank=True)
    error = models.CharField(max_length=400, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Transcription of {self.source}"


class Consent(models.Model):
    """Consent of a participant to the study (source empty) or to one source."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents"
    )
    # The source's title survives its removal, for the record of what was withdrawn.
    source_title = models.CharField(max_length=200, blank=True)
    given_on = models.DateField()
    note = models.CharField(max_length=200, blank=True, help_text="Form, version, witness.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["participant", "recorded_at"]

    def __str__(self) -> str:
        what = self.source_title or "the study"
        return f"{self.participant} consents to {what}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class Codebook(models.Model):
    study = models.OneToOneField(Study, on_delete=models.CASCADE, related_name="codebook")
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class CodebookVersion(models.Model):
    """A numbered state of the codebook; changes go into the open (latest, unsaved) one."""

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    note = models.CharField(max_length=200, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The codes as they were when the version was saved: [{guid, name, parent, definition...}].
    snapshot = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["codebook", "number"]
        constraints = [
            models.UniqueConstraint(fields=["codebook", "number"], name="codebook_version_unique")
        ]

    def __str__(self) -> str:
        return f"Version {self.number}"


class Code(models.Model):
    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="codes")
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(max_length=120)
    definition = models.TextField(blank=True)
    use_when = models.TextField(blank=True)
    not_when = models.TextField(blank=True)
    example = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#f2c14e")
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="Merged or split away; kept for the history."
    )

    class Meta:
        ordering = ["codebook", "position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.retired_at is None


class ChangeKind(models.TextChoices):
    CREATE = "create", "Added"
    RENAME = "rename", "Renamed"
    EDIT = "edit", "Definition changed"
    MOVE = "move", "Moved"
    MERGE = "merge", "Merged"
    SPLIT = "split", "Split"


class CodeChange(models.Model):
    """One change to the codebook, in the version it was made in; codings follow it."""

    version = models.ForeignKey(CodebookVersion, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="changes")
    others = models.ManyToManyField(Code, blank=True, related_name="+")
    summary = models.CharField(max_length=300)
    # What moved where: {"segments": {"<segment guid>": "<code guid>"}, "before": {...}}.
    mapping = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return self.summary


class CodedSegment(models.Model):
    """A code applied by one coder to text[start:end) of a source."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="segments")
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="segments")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coded_segments"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    origin = models.CharField(
        max_length=10, choices=SegmentOrigin.choices, default=SegmentOrigin.CODED
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source", "start", "end", "pk"]
        indexes = [models.Index(fields=["source", "coder"]), models.Index(fields=["code"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="segment_has_characters"
            ),
            models.UniqueConstraint(
                fields=["source", "code", "coder", "start", "end"], name="segment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} [{self.start}:{self.end}]"


class Memo(models.Model):
    """A researcher's note on a code, a source or a segment (or the study itself)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="memos")
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    code = models.ForeignKey(
        Code, on_delete=models.CASCADE, null=True, blank=True, related_name="memos"
    )
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, null=True, blank=True, related_name="memos"
    )
    segment = models.ForeignKey(
        CodedSegment, on_delete=models.CASCADE, null=True, blank=True, related_name="memos"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(code__isnull=True, source__isnull=True)
                    | models.Q(code__isnull=True, segment__isnull=True)
                    | models.Q(source__isnull=True, segment__isnull=True)
                ),
                name="memo_one_target",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class FrameworkCategory(models.Model):
    """A category of an a-priori framework (Rosso's pathways) that themes are related to."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="framework")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["study", "position"]
        constraints = [
            models.UniqueConstraint(fields=["study", "key"], name="framework_key_unique")
        ]

    def __str__(self) -> str:
        return self.label


class Theme(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="themes")
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    codes = models.ManyToManyField(Code, blank=True, related_name="themes")
    categories = models.ManyToManyField(FrameworkCategory, blank=True, related_name="themes")
    exemplars = models.ManyToManyField(CodedSegment, blank=True, related_name="exemplar_of")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["study", "position", "name"]

    def __str__(self) -> str:
        return self.name


class StudyEvent(models.Model):
    """The study's audit trail: what happened, never the words of a withdrawn source."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=400)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return self.message


class SuggesterRun(models.Model):
    """One training of the code suggester on a study's coding, with its held-out agreement."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="suggester_runs")
    model_key = models.CharField(max_length=80, default="all-MiniLM-L6-v2-int8")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    trained_units = models.PositiveIntegerField(default=0)
    held_out_units = models.PositiveIntegerField(default=0)
    # Cohen's kappa of the suggester and of always suggesting the commonest code, against
    # the human coders on the held-out units; per code: {"<code guid>": {...}}.
    kappa = models.FloatField(null=True, blank=True)
    baseline_kappa = models.FloatField(null=True, blank=True)
    per_code = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=400, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["study", "-requested_at"]

    def __str__(self) -> str:
        return f"Suggester for {self.study} ({self.requested_at:%Y-%m-%d})"

    @property
    def beats_baseline(self) -> bool:
        return (
            self.kappa is not None
            and self.baseline_kappa is not None
            and self.kappa > self.baseline_kappa
        )


class SuggestionStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for review"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class CodeSuggestion(models.Model):
    """A code the suggester proposes for an uncoded unit; applied only when a coder accepts."""

    run = models.ForeignKey(SuggesterRun, on_delete=models.CASCADE, related_name="suggestions")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="suggestions")
    turn = models.ForeignKey(
        Turn, on_delete=models.CASCADE, null=True, blank=True, related_name="suggestions"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="suggestions")
    confidence = models.FloatField()
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.WAITING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    segment = models.OneToOneField(
        CodedSegment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestion",
    )

    class Meta:
        ordering = ["source", "start", "-confidence"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="suggestion_has_characters"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.confidence:.0%}) [{self.start}:{self.end}]"
