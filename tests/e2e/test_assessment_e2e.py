from decimal import Decimal

import pytest

from apps.supervision import observation_scoring as scoring
from apps.supervision.models import ObservationScore, ObservationVisit
from apps.supervision.observation_models import ObservationRating

pytestmark = pytest.mark.django_db(transaction=True)


def test_rater_scores_an_observation_target_on_a_phone(tree, users, page_for):
    visit = ObservationVisit.objects.create(organization=tree.street_a, title="逐社观摩", period="2026-11")
    scoring.observation_targets_set(acting_user=users.street_staff, visit=visit,
                                    organizations=[tree.branch_a, tree.branch_b])  # fmt: skip
    page = page_for(users.street_staff, width=390)
    page.goto(f"{page.base_url}/supervision/observations/{visit.pk}/rate/")
    page.click(f"text={tree.branch_a.name}")
    page.wait_for_selector("text=党建基础")
    inputs = page.locator("input[name^=dim_]")
    assert inputs.count() == 5
    # the form fits the phone: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    inputs.nth(0).fill("25")  # above the 20-point maximum
    for i in range(1, 5):
        inputs.nth(i).fill("16")
    page.click("button:has-text('提交评分')")
    assert "党建基础" in page.inner_text(".field-error")
    page.locator("input[name^=dim_]").nth(0).fill("18.5")
    page.fill("#id_comment", "阵地规范")
    page.click("button:has-text('提交评分')")
    page.wait_for_selector("#visit-ranking")
    assert "82.5" in page.inner_text(".rate-target.done")
    rating = ObservationRating.objects.get(visit=visit, target=tree.branch_a, rater=users.street_staff)
    assert rating.total == Decimal("82.5") and rating.comment == "阵地规范"
    assert ObservationScore.objects.get(visit=visit, target=tree.branch_a).score == Decimal("82.5")
