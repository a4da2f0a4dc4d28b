import pytest

from apps.funding.models import Expense
from tests.funding.helpers import PDF, allocate

pytestmark = pytest.mark.django_db(transaction=True)


def test_branch_records_expense_with_voucher_and_street_sees_execution_rate_change(tree, users, page_for, tmp_path):
    allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    street = page_for(users.street_staff)
    street.goto(f"{street.base_url}/funding/?org={tree.street_a.pk}")
    row = f'#execution-children tr[data-org-id="{tree.branch_a.pk}"]'
    assert "0.0%" in street.inner_text(row)

    voucher = tmp_path / "发票.pdf"
    voucher.write_bytes(PDF)
    sec = page_for(users.secretary_a)
    sec.goto(f"{sec.base_url}/funding/")
    sec.click(".subnav >> text=经费支出")
    sec.click("main >> text=登记支出")
    sec.select_option("#id_allocation", index=1)
    sec.select_option("#id_category", "activity")
    sec.fill("#id_amount", "250")
    sec.fill("#id_payee", "红色教育基地")
    sec.fill("#id_purpose", "七一主题党日活动")
    sec.fill("#id_approved_by", "张书记")
    sec.set_input_files("#id_vouchers", str(voucher))
    sec.click("button:has-text('保存')")
    sec.wait_for_selector("#vouchers >> text=发票.pdf")
    assert "等待上级党组织审核" in sec.inner_text("body")
    assert Expense.objects.get().voucher_count == 1

    street.reload()
    assert "0.0%" in street.inner_text(row)  # waiting for review: not spent yet
    street.click(".subnav >> text=支出审核")
    street.click("main >> text=查看并审核")
    street.click("#review-form >> text=审核通过")
    street.wait_for_selector("#review-trail >> text=审核通过")
    street.goto(f"{street.base_url}/funding/?org={tree.street_a.pk}")
    assert "25.0%" in street.inner_text(row)
    assert "25.0%" in street.inner_text('[data-stat="rate"]')
    street.screenshot(path="/tmp/funding/e2e-street-execution.png", full_page=True)
