from __future__ import annotations

import pytest
from django.http import Http404

from hearth.people.permissions import (
    can_view,
    get_group_for_user,
    visible_groups,
    visible_people,
)


def names(queryset) -> set[str]:
    return {p.display_name for p in queryset}


def test_mentor_sees_own_group_learners_and_no_others(school):
    seen = names(visible_people(school.mentor_a1))
    assert {"Lena Learnerone", "Lars Learnermate"} <= seen
    assert "Luca Learnertwo" not in seen
    assert "Lia Learnerthree" not in seen


def test_learner_sees_group_mates_and_mentor_only(school):
    seen = names(visible_people(school.learner_a1))
    assert {"Lena Learnerone", "Lars Learnermate", "Mira Mentorone", "Hugo Housedirector"} <= seen
    assert not {"Luca Learnertwo", "Lia Learnerthree", "Mona Mentorthree"} & seen


def test_community_director_sees_own_community_only(school):
    groups = set(visible_groups(school.house_director))
    assert groups == {school.group_a1, school.group_a2}
    assert "Lia Learnerthree" not in names(visible_people(school.house_director))


def test_program_director_sees_whole_program(school):
    assert set(visible_groups(school.director)) == {
        school.group_a1,
        school.group_a2,
        school.group_b1,
    }


def test_hidden_group_is_not_found_rather_than_forbidden(school):
    with pytest.raises(Http404):
        get_group_for_user(school.mentor_a1, school.group_b1.pk)
    assert not can_view(school.outsider, school.group_a1)
    assert can_view(school.mentor_a1, school.group_a1)
