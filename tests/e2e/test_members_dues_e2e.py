from decimal import Decimal

import pytest

from apps.core.periods import Period
from apps.members.dues import dues_base_set
from apps.members.dues_models import DuesPayment
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_secretary_records_a_month_of_dues_for_the_branch(tree, users, page_for, width):
    members = [make_member(tree.branch_a, name=n) for n in ("王建华", "李秀英", "张伟")]
    make_member(tree.branch_b, name="乙支部党员")
    last = Period.current().previous()
    for m in members:
        dues_base_set(
            acting_user=users.secretary_a, member=m, year=last.year, category="employed", base=Decimal("4000")
        )
    page = page_for(users.secretary_a, width=width)
    page.goto(f"{page.base_url}/members/dues/?month={last}")
    page.wait_for_selector("#dues-table")
    assert "乙支部党员" not in page.inner_text("main")
    page.click("[data-dues-all]")
    page.uncheck(f"#paid_{members[2].pk}")
    page.fill(f"input[name=amount_{members[0].pk}]", "-5")
    page.click("#dues-save")
    page.wait_for_selector("#dues-errors")
    assert "王建华「金额」" in page.inner_text("#dues-errors")
    assert DuesPayment.objects.count() == 0
    assert page.input_value(f"input[name=amount_{members[1].pk}]") == "40.00"
    page.fill(f"input[name=amount_{members[0].pk}]", "50")
    page.select_option(f"select[name=method_{members[1].pk}]", "online")
    page.click("#dues-save")
    page.wait_for_selector("text=已保存")
    paid = dict(DuesPayment.objects.values_list("member__name", "method"))
    assert set(paid) == {"王建华", "李秀英"} and paid["李秀英"] == "online"
    assert "已交 2 人" in page.inner_text("#dues-summary")
    page.screenshot(path=f"/tmp/members/dues_month_{width}.png", full_page=True)
    with page.expect_popup() as popup:
        page.click(f"tr[data-member='{members[0].pk}'] >> text=收据")
    receipt = popup.value
    receipt.wait_for_selector("#receipt")
    assert "50.00" in receipt.inner_text("#receipt")
