"""What a director sets for a run: weights of the soft goals and the rules, checked once
with messages that name the problem, and kept on the run as plain JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError

from .models import Policy

MAX_WEIGHT = 100.0
MAX_BAND = 50
MAX_TIME_LIMIT = 300.0


def _number(data: dict[str, Any], key: str, label: str, default: float, top: float) -> float:
    raw = data.get(key, default)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValidationError(f"{label} must be a number from 0 to {top:g}; got “{raw}”.") from None
    if not 0 <= value <= top:
        raise ValidationError(f"{label} must be from 0 to {top:g}; got {value:g}.")
    return value


def _flag(data: dict[str, Any], key: str) -> bool:
    raw = data.get(key, False)
    if isinstance(raw, str):
        return raw.lower() in {"1", "true", "yes", "on"}
    return bool(raw)


@dataclass(frozen=True)
class BalanceGoal:
    """Keep the share of learners whose attribute has this value near the cohort's share."""

    attribute: str
    value: str
    label: str
    weight: float = 1.0
    band: int | None = None  # hard: within ±band learners of the proportional share


@dataclass(frozen=True)
class PlacementOptions:
    preference_weight: float = 1.0
    even_size_weight: float = 0.5
    balance: tuple[BalanceGoal, ...] = ()
    time_limit: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "balance": [asdict(goal) for goal in self.balance]}

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], attributes: dict[str, list[str]] | None = None
    ) -> PlacementOptions:
        """Read and check settings; `attributes` (key -> allowed values) checks balance goals."""
        goals = []
        for number, raw in enumerate(data.get("balance") or [], start=1):
            if not isinstance(raw, dict):
                raise ValidationError(f"Balance goal {number} must name an attribute and a value.")
            attribute, value = str(raw.get("attribute", "")), str(raw.get("value", ""))
            label = str(raw.get("label") or f"{attribute} = {value}")
            if attributes is not None:
                if attribute not in attributes:
                    known = ", ".join(sorted(attributes)) or "none"
                    raise ValidationError(
                        f"Balance goal {number}: the program collects no attribute “{attribute}” "
                        f"(it collects: {known})."
                    )
                if attributes[attribute] and value not in attributes[attribute]:
                    raise ValidationError(
                        f"Balance goal {number}: “{value}” is not an answer to “{attribute}” "
                        f"({', '.join(attributes[attribute])})."
                    )
            band = raw.get("band")
            if band not in (None, ""):
                band = int(_number(raw, "band", f"The band for {label}", 0, MAX_BAND))
            else:
                band = None
            goals.append(
                BalanceGoal(
                    attribute=attribute,
                    value=value,
                    label=label,
                    weight=_number(
                        raw, "weight", f"The weight for balancing {label}", 1, MAX_WEIGHT
                    ),
                    band=band,
                )
            )
        return cls(
            preference_weight=_number(
                data, "preference_weight", "The weight for preferences", 1, MAX_WEIGHT
            ),
            even_size_weight=_number(
                data, "even_size_weight", "The weight for even sizes", 0.5, MAX_WEIGHT
            ),
            balance=tuple(goals),
            time_limit=max(1.0, _number(data, "time_limit", "The time limit", 10, MAX_TIME_LIMIT)),
        )


@dataclass(frozen=True)
class MentoringOptions:
    policy: str = Policy.FIT
    outside_division: bool = False
    senior_mentor: bool = False
    tag_weight: int = 50
    text_weight: int = 30
    preference_weight: int = 20

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MentoringOptions:
        policy = str(data.get("policy") or Policy.FIT)
        if policy not in Policy.values:
            raise ValidationError(
                f"The policy must be “fit” (maximum total fit) or “stable”; got “{policy}”."
            )
        weights = {
            key: int(_number(data, key, label, default, 100))
            for key, label, default in (
                ("tag_weight", "The weight for shared interests", 50),
                ("text_weight", "The weight for similar statements", 30),
                ("preference_weight", "The weight for ranked choices", 20),
            )
        }
        if not any(weights.values()):
            raise ValidationError("At least one of the fit weights must be above 0.")
        return cls(
            policy=policy,
            outside_division=_flag(data, "outside_division"),
            senior_mentor=_flag(data, "senior_mentor"),
            tag_weight=weights["tag_weight"],
            text_weight=weights["text_weight"],
            preference_weight=weights["preference_weight"],
        )
