from __future__ import annotations

from django.urls import reverse

from hearth.communities.models import MentorGroup
from hearth.testing import PASSWORD


def test_director_sees_program_page_with_counts(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    response = client.get(reverse("program", args=[school.program.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Apgar House" in body and "Blackwell House" in body
    assert "Mira Mentorone" in body  # mentors' loads


def test_outsider_gets_404_on_program_page(client, school):
    client.login(email=school.outsider.email, password=PASSWORD)
    assert client.get(reverse("program", args=[school.program.slug])).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, school):
    response = client.get(reverse("program", args=[school.program.slug]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_mentors_loads_are_paged_fifty_groups_at_a_time(client, school):
    # Groups sort by community, then name: Apgar House's "Apgar 1", "Apgar 2", "Zeta 00".."Zeta
    # 51", then Blackwell House's. Page one ends at "Zeta 47".
    MentorGroup.objects.bulk_create(
        MentorGroup(community=school.house_a, name=f"Zeta {n:02d}", capacity=4) for n in range(52)
    )
    total = MentorGroup.objects.filter(community__program=school.program).count()
    client.login(email=school.director.email, password=PASSWORD)
    url = reverse("program", args=[school.program.slug])

    first = client.get(url).content.decode()
    assert f"<strong>{total}</strong> mentor groups" in first
    assert f"groups 1 to 50 of {total}" in first
    assert "Mira Mentorone" in first and "Zeta 00" in first and "Zeta 51" not in first
    assert 'href="?page=2#loads" rel="next"' in first

    last = client.get(url, {"page": 2}).content.decode()
    assert "Zeta 51" in last and "Zeta 00" not in last
    assert 'href="?page=1#loads" rel="prev"' in last
