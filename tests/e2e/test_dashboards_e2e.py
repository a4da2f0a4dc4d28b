"""The leader's dashboard in a real browser: charts drawn, one switched to its table, a bar followed to its
list; the hall screen fills 1920×1080 without overflow."""

from __future__ import annotations

import pytest

from apps.dashboards.refresh import stats_refresh
from tests.dashboards.conftest import world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

CANVAS_NOT_EMPTY = """(sel) => {
  const canvas = document.querySelector(sel + ' canvas');
  if (!canvas || !canvas.width || !canvas.height) return false;
  const ctx = canvas.getContext('2d');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
  return false;
}"""

# The middle of the bar (not just below its top: a bar still growing, or a short one, is hit all the same),
# and what the browser has at that point (the chart's canvas, not something laid over it).
BAR_POINT = """([id, label]) => {
  const el = document.getElementById('chart-' + id);
  const chart = echarts.getInstanceByDom(el);
  const series = chart.getOption().series[0];
  const idx = series.data.findIndex(d => d.name === label);
  if (idx < 0) return {missing: series.data.map(d => d.name)};
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, [idx, series.data[idx].value / 2]);
  const box = el.getBoundingClientRect();
  const at = document.elementFromPoint(box.left + x, box.top + y);
  return {x: box.left + x, y: box.top + y, url: series.data[idx].url, hit: at && el.contains(at) && at.tagName};
}"""


def test_leader_sees_charts_switches_one_to_table_and_follows_a_bar(tree, users, world, page_for):  # noqa: F811
    stats_refresh()
    page = page_for(users.leader)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.emulate_media(reduced_motion="reduce")  # bars drawn at their final size at once
    assert page.locator("#home-dashboard").count() == 1  # the leader's home page is the dashboard
    page.goto(f"{page.base_url}/dashboards/?org={tree.city.code}")
    page.wait_for_selector('[data-chart="members-age"][data-drawn="1"] canvas')
    for pid in ("members-category", "members-age", "orgs-kind", "trend-ledger"):
        assert page.evaluate(CANVAS_NOT_EMPTY, f'[data-chart="{pid}"]'), pid

    page.click('[data-toggle-table="members-gender"]')
    assert page.is_visible("#table-members-gender")
    assert page.is_hidden("#chart-members-gender")
    assert "女" in page.inner_text("#table-members-gender")
    page.click('[data-toggle-table="trend-ledger"]')  # a trend's table: a row per month, a column per series
    assert page.is_visible("#table-trend-ledger")
    assert page.locator("#table-trend-ledger tbody tr").count() == 12
    assert "月度台账按时提交率" in page.inner_text("#table-trend-ledger thead")

    page.locator("#chart-orgs-kind").scroll_into_view_if_needed()
    bar = page.evaluate(BAR_POINT, ["orgs-kind", "党支部"])
    assert bar.get("hit") == "CANVAS" and "kind=branch" in bar["url"], bar
    page.mouse.move(bar["x"], bar["y"])  # the tooltip shows (plain text: no inline style for the CSP to refuse)
    page.mouse.click(bar["x"], bar["y"])
    page.wait_for_url("**/organizations/list/**kind=branch**")
    assert not errors, errors
    rows = page.locator("table tbody tr")
    assert rows.count() == 3  # branch_a, branch_b, branch_c


def test_hall_screen_fills_1920_by_1080_without_overflow(tree, users, world, page_for):  # noqa: F811
    stats_refresh()
    page = page_for(users.leader, width=1920)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{page.base_url}/dashboards/screen/?org={tree.city.code}")
    page.wait_for_selector('[data-chart="members-age"][data-drawn="1"] canvas')
    width, height = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert width <= 1920 and height <= 1080
    assert page.evaluate(CANVAS_NOT_EMPTY, '[data-chart="trend-letters"]')
    assert page.get_attribute("body", "data-refresh-seconds") == "300"


def test_party_stats_change_cell_opens_the_members_it_counts(tree, users, world, page_for):  # noqa: F811
    stats_refresh()
    page = page_for(users.leader)
    page.goto(f"{page.base_url}/dashboards/party-stats/?org={tree.city.code}")
    cell = page.locator("#changes tbody tr").first.locator("td a[data-change-link]").first  # 合计's 发展党员
    shown = int(cell.inner_text())
    assert shown == 2  # admitted this year: one in branch_a, one in branch_b
    cell.click()
    page.wait_for_url("**/members/?**counted=admitted**")
    assert page.locator("#member-table tbody tr").count() == shown
