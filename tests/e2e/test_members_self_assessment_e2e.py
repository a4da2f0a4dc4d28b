import datetime

import pytest

from apps.members.appraisal import appraisal_open
from tests.e2e.ui_assertions import assert_clean_page
from tests.factories.accounts import make_user
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_writes_self_assessment_on_a_phone(tree, users, page_for):
    """个人自评 at 390 px: from the home panel to the saved text; the row of the branch's appraisal shows it."""
    member = make_member(tree.branch_a, name="周晓梅")
    make_member(tree.branch_a, name="吴国强")
    appraisal = appraisal_open(
        acting_user=users.secretary_a, organization=tree.branch_a, year=datetime.date.today().year - 1
    )
    account = make_user(tree.branch_a, "leader", username="zhouxm")
    account.member = member
    account.save(update_fields=["member"])
    page = page_for(account, width=390)
    page.goto(f"{page.base_url}/")
    page.wait_for_selector("#self-assessment-panel")
    page.click("#self-assessment-panel >> text=填写自评")
    page.wait_for_selector("#self-assessment-form")
    assert_clean_page(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#self-assessment-form button[type=submit]")
    page.wait_for_selector(".field-error, .invalid-feedback")
    assert "个人自评" in page.inner_text("#self-assessment-form")
    page.fill("textarea[name=self_assessment]", "认真学习党的理论，积极参加组织生活，按时交纳党费。")
    page.click("#self-assessment-form button[type=submit]")
    page.wait_for_selector("text=已保存")
    entry = appraisal.entries.get(member=member)
    assert entry.self_assessment.startswith("认真学习") and entry.self_assessed_on == datetime.date.today()
    page.screenshot(path="/tmp/members/self_assessment_390.png", full_page=True)
