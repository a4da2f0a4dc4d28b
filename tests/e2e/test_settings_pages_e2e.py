"""本单位设置 and account pages as a new user sees them in Chromium (1366 px): form controls are Bootstrap's (label
above a full-width box, not a browser-default box beside it), 规则参数's value boxes are wide enough to read, the
scope of 批量开通 is picked by name. Each page also passes ``assert_clean_page``."""

from __future__ import annotations

import pytest

from tests.e2e.ui_assertions import assert_clean_page

pytestmark = pytest.mark.django_db(transaction=True)


def _open(page, path: str) -> None:
    page.goto(page.base_url + path)
    page.wait_for_load_state("domcontentloaded")
    assert_clean_page(page)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1, path


def unstyled_controls(page) -> list[str]:
    """Inputs, selects and text areas in the page body without Bootstrap's class (option lists excepted)."""
    return page.eval_on_selector_all(
        "main input:not([type=hidden]), main select, main textarea",
        """els => els.filter(e => !e.closest('.choice-group')).filter(e => {
            const c = e.className || '';
            if (e.type === 'checkbox' || e.type === 'radio') return !/form-check-input|btn-check/.test(c);
            return !/form-control|form-select/.test(c);
        }).map(e => e.name)""",
    )


@pytest.mark.parametrize(
    "path",
    [
        "/supervision/settings/letter-rule/",
        "/responsibility/settings/life-day/",
        "/settings/work-calendar/",
        "/members/settings/dues-brackets/new/",
        "/supervision/inspections/new/",
    ],
)
def test_settings_forms_use_styled_controls_with_labels_above(tree, users, page_for, path):
    page = page_for(users.admin, width=1366)
    _open(page, path)
    assert unstyled_controls(page) == [], path
    label = page.locator("main label.form-label").first
    box = page.locator(f"main #{label.get_attribute('for')}")
    assert box.bounding_box()["y"] > label.bounding_box()["y"] + 10  # the label sits above its box


def test_parameter_values_are_readable(tree, users, page_for):
    page = page_for(users.admin, width=1366)
    _open(page, "/settings/parameters/")
    widths = page.eval_on_selector_all("#parameters input[name=value]", "els => els.map(e => e.offsetWidth)")
    assert widths and min(widths) >= 200, widths  # were 40 px: 06-30:30,09-30:60 read as 06-3(


def test_provisioning_scope_is_an_organization_picker(tree, users, page_for):
    page = page_for(users.street_staff, width=1366)
    _open(page, "/accounts/provisioning/")
    assert page.input_value("#id_org") == tree.street_a.name
    assert page.locator("#id_org[data-org-picker]").count() == 1
