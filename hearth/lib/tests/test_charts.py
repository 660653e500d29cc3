"""Charts are drawn once per set of figures in each process, and anew when a figure changes."""

from __future__ import annotations

from hearth.lib import charts


def test_the_same_figures_give_the_kept_chart_and_new_figures_a_new_one():
    rows = [
        {"month": "2026-09", "community": "Osler House", "meetings": 4},
        {"month": "2026-10", "community": "Osler House", "meetings": 6},
    ]
    first = charts.meetings_per_month_svg(rows)
    again = charts.meetings_per_month_svg([dict(row) for row in rows])
    assert again is first  # kept, not drawn again
    changed = charts.meetings_per_month_svg([rows[0], {**rows[1], "meetings": 7}])
    assert changed is not first and changed != first
    assert 'role="img"' in changed


def test_only_the_latest_charts_are_kept(monkeypatch):
    drawn = []

    @charts.kept_by_figures
    def draw(value: int) -> str:
        drawn.append(value)
        return f"<svg>{value}</svg>"

    monkeypatch.setattr(charts, "KEPT_CHARTS", 2)
    for value in (1, 2, 1, 3, 1, 2):
        draw(value)
    # 1 stays kept by use; 2 was dropped when 3 came and is drawn again.
    assert drawn == [1, 2, 3, 2]
