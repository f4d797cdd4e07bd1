"""Policy events in a real browser: the pair page draws the events as numbered dotted
lines on its charts, with the legend below; the screenshot stays in test-artifacts/."""

from __future__ import annotations

from browser.conftest import SHOTS, Page

CHART = "#chart-0-flows"


def test_pair_page_draws_event_markers(web_page: Page) -> None:
    page = web_page
    page.page.goto("/pair?a=USA&b=JPN&channel=arms")
    page.page.wait_for_selector(f"{CHART}[data-drawn] .main-svg", state="attached")
    drawn = page.page.evaluate(f"""() => {{
        const gd = document.querySelector('{CHART}');
        return {{
            shapes: gd._fullLayout.shapes.map(s => s.name),
            numbers: [...gd.querySelectorAll('.annotation-text')].map(t => t.textContent),
            lines: gd.querySelectorAll('.shapelayer path').length,
        }};
    }}""")
    assert sorted(drawn["shapes"]) == ["event 2", "event 3", "event 4"]
    assert sorted(drawn["numbers"]) == ["2", "3", "4"]
    assert drawn["lines"] >= 3
    legend = page.page.inner_text("#pair-events")
    assert "1988-11" in legend and "Test agreement" not in legend  # titles, not chart labels
    assert "A program agreement" in legend
    page.page.locator(CHART).scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.locator("#pair-events").screenshot(path=str(SHOTS / "pair_events_legend.png"))
    assert not page.errors and not page.outside
