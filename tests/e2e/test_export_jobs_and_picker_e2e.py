"""In the browser: a large export runs as a job (progress on the page, then an expiring download link), and
the organization picker's tree is used with the keyboard and on a 390-px phone."""

import io
import os
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from apps.core.export_jobs import export_job_create, export_job_run
from apps.core.models import ExportJob, Parameter
from apps.core.params import invalidate
from apps.organizations.models import Organization
from tests.e2e.ui_assertions import assert_clean_page
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(os.environ.get("UI_SCREENSHOTS", "/tmp/ui"))


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def large_roster(tree):
    for _ in range(5):
        make_member(tree.branch_a)
    make_member(tree.branch_b)
    Parameter.objects.update_or_create(key="export_sync_max_rows", defaults={"value": "3"})
    invalidate()
    yield
    invalidate()


def _workbook_rows(path) -> list[list]:
    with open(path, "rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("width", [1280, 390])
def test_large_roster_export_runs_as_a_job_with_a_download_link(large_roster, users, page_for, width):
    page = page_for(users.roster_admin, width=width)
    page.goto(f"{page.base_url}{reverse('members:member_list')}")
    page.click("a:has-text('导出Excel')")
    page.wait_for_url("**/exports/*/")
    page.wait_for_selector("#export-download")
    assert "已完成" in page.inner_text("h1")
    assert "下载有效期至" in page.inner_text("main")
    assert_clean_page(page)
    _shot(page, f"export_job_done_{width}")
    if width == 390:  # nothing wider than the phone
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    with page.expect_download() as info:
        page.click("#export-download")
    rows = _workbook_rows(info.value.path())
    assert rows[0][0] == "姓名" and len(rows) == 1 + 6
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE and job.created_by_id == users.roster_admin.pk

    page.goto(f"{page.base_url}{reverse('core:export_job_list')}")
    assert "党员名册" in page.inner_text("table")
    assert_clean_page(page)


def test_the_job_page_shows_progress_then_the_link(large_roster, users, page_for):
    job = export_job_create(
        acting_user=users.roster_admin,
        title="党员名册",
        total=6,
        source_path=reverse("members:member_export"),
        query="",
        permission="members.view_member",
    )
    page = page_for(users.roster_admin, width=390)
    page.goto(f"{page.base_url}{job.get_absolute_url()}")
    bar = page.wait_for_selector("#export-progress .progress")
    assert bar.get_attribute("aria-valuenow") == "0"
    assert "排队中" in page.inner_text("main") and "已处理 0 / 6 行" in page.inner_text("main")
    assert_clean_page(page)
    _shot(page, "export_job_progress_390")
    export_job_run(job_id=job.pk)  # the worker finishes; the page polls and reloads itself
    page.wait_for_selector("#export-download", timeout=20000)
    assert page.locator("#export-progress .progress").count() == 0


def test_a_sibling_cannot_open_someone_elses_export(large_roster, users, page_for):
    job = export_job_create(
        acting_user=users.secretary_a, title="党员名册", total=6, source_path=reverse("members:member_export"), query=""
    )
    page = page_for(users.secretary_b)
    response = page.goto(f"{page.base_url}{job.get_absolute_url()}")
    assert response.status == 404
    assert_clean_page(page)


def _focused_name(page) -> str:
    return page.evaluate("document.activeElement.querySelector('.org-tree-name').innerText")


def test_picker_tree_with_the_keyboard(tree, users, page_for):
    page = page_for(users.district_staff)
    page.goto(f"{page.base_url}{reverse('organizations:organization_create')}")
    page.focus("[data-org-tree-toggle]")
    page.keyboard.press("Enter")
    # The user's own district is the one top node, opened at once; focus is on it.
    page.wait_for_selector(".org-picker-treeview [role=treeitem]:has-text('甲街道党工委')")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "treeitem"
    assert _focused_name(page) == "甲区委"
    assert page.locator(".org-picker-treeview >> text=乙区委").count() == 0  # out of scope
    page.keyboard.press("ArrowDown")  # 甲街道党工委
    page.keyboard.press("ArrowRight")  # opens it: its branches load
    page.wait_for_selector(".org-picker-treeview [role=treeitem]:has-text('乙支部')")
    page.keyboard.press("ArrowRight")  # into the first child
    assert _focused_name(page) in ("甲支部", "乙支部")
    while _focused_name(page) != "乙支部":
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator(".org-picker-tree").is_hidden()
    assert page.input_value("#id_parent") == "乙支部"
    assert page.input_value("input[name=parent]") == tree.branch_b.code
    assert_clean_page(page)

    page.fill("#id_name", "乙支部第一党小组")
    page.fill("#id_code", "E2EG01")
    page.select_option("#id_kind", "party_group")
    page.click("button:has-text('保存')")
    page.wait_for_selector("h1:has-text('乙支部第一党小组')")
    assert Organization.objects.get(code="E2EG01").parent_id == tree.branch_b.pk


def test_picker_search_with_the_keyboard(tree, users, page_for):
    page = page_for(users.district_staff)
    page.goto(f"{page.base_url}{reverse('organizations:organization_create')}")
    page.fill("#id_parent", "")
    page.type("#id_parent", "乙支")
    page.wait_for_selector(".org-picker-results [role=option]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("input[name=parent]") == tree.branch_b.code
    assert page.input_value("#id_parent") == "乙支部"
    page.keyboard.press("Escape")


def test_picker_in_a_filter_panel_on_a_phone(tree, users, page_for):
    page = page_for(users.street_staff, width=390)
    page.goto(f"{page.base_url}{reverse('responsibility:item_list')}")
    page.click("details.filter-panel > summary")
    page.click("#id_within ~ [data-org-tree-toggle]")
    page.wait_for_selector(".org-picker-treeview [role=treeitem]:has-text('甲支部')")
    box = page.locator(".org-picker-tree").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    _shot(page, "org_picker_tree_390")
    page.click(".org-picker-treeview .org-tree-name:has-text('甲支部')")
    assert page.input_value("#id_within") == "甲支部"
    page.click("details.filter-panel button[type=submit]")
    page.wait_for_selector(".filter-chip")
    assert "所属党组织（含下级）：甲支部" in page.inner_text(".filter-chips")
    assert f"within={tree.branch_a.code}" in page.url
    assert_clean_page(page)
