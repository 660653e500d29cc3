"""People: one account per human, their roles and who supervises whom."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (for example America/Chicago).")


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> Person:
        if not email:
            raise ValueError("A person needs an email address.")
        person = self.model(email=self.normalize_email(email).lower(), **fields)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> Person:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class AcademicRank(models.TextChoices):
    INSTRUCTOR = "instructor", "Instructor"
    ASSISTANT = "assistant", "Assistant professor"
    ASSOCIATE = "associate", "Associate professor"
    FULL = "full", "Full professor"
    OTHER = "other", "Other"


class Interest(models.Model):
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    external_id = models.CharField(
        max_length=64, blank=True, help_text="The school's own identifier, used to match imports."
    )
    display_name = models.CharField(max_length=150)
    pronouns = models.CharField(max_length=40, blank=True)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    department = models.CharField(max_length=150, blank=True)
    academic_rank = models.CharField(max_length=20, choices=AcademicRank.choices, blank=True)
    class_year = models.PositiveIntegerField(
        null=True, blank=True, help_text="Graduation year of a learner's entering class."
    )
    learner_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year of study (1 = first year)."
    )
    interests = models.ManyToManyField(Interest, blank=True, related_name="people")
    photo = models.ImageField(upload_to="photos/", blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="person_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def is_learner(self) -> bool:
        return self.class_year is not None


class Role(models.TextChoices):
    PROGRAM_DIRECTOR = "program_director", "Program director"
    COMMUNITY_DIRECTOR = "community_director", "Community director"
    EVALUATOR = "evaluator", "Evaluator"
    FACILITATOR = "facilitator", "Facilitator"


class RoleGrant(models.Model):
    """A scoped role. Site admins are superusers; mentors and learners hold memberships."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="role_grants"
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_grants",
    )
    granted_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "role", "program", "community"], name="role_grant_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(role="community_director", community__isnull=False)
                | (~models.Q(role="community_director") & models.Q(community__isnull=True)),
                name="role_grant_community_only_for_community_directors",
            ),
        ]

    def __str__(self) -> str:
        scope = self.community or self.program
        return f"{self.person} — {self.get_role_display()} of {scope}"


class Supervision(models.Model):
    supervisor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="supervisees")
    supervisee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="supervisors")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("supervisee")),
                name="supervision_not_self",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.supervisee}"
