import io

import pytest
from openpyxl import load_workbook

from apps.accounts.models import User
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_street_staff_provisions_secretaries_and_a_new_secretary_must_change_password(tree, users, page_for, browser):
    for org, name in ((tree.branch_a, "张书记"), (tree.branch_b, "李书记")):
        org.secretary_member = make_member(org, name=name)
        org.secretary_name = name
        org.save()
    page = page_for(users.street_staff)
    page.goto(f"{page.base_url}/accounts/provisioning/")
    assert "张书记" in page.inner_text("main") and "李书记" in page.inner_text("main")
    page.on("dialog", lambda d: d.accept())
    page.click("button:has-text('确认开通')")
    page.wait_for_selector("text=下载初始密码清单")
    with page.expect_download() as info:
        page.click("button:has-text('下载初始密码清单')")
    rows = list(load_workbook(io.BytesIO(info.value.path().read_bytes())).active.values)
    username, password = rows[1][3], rows[1][4]
    assert User.objects.get(username=username).must_change_password
    page.reload()
    assert "已于" in page.inner_text("main")  # the list is gone after one download

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = context.new_page()
    phone.goto(f"{page.base_url}/accounts/login/")
    phone.fill("#id_username", username)
    phone.fill("#id_password", password)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/accounts/password/")
    assert "请先设置自己的新密码" in phone.inner_text("main")
    phone.fill("#id_old_password", password)
    phone.fill("#id_new_password1", "Hq5%mZt8wK")
    phone.fill("#id_new_password2", "Hq5%mZt8wK")
    phone.click("button:has-text('修改密码')")
    phone.wait_for_url("**/accounts/me/")
    phone.goto(f"{page.base_url}/")
    assert phone.url.rstrip("/") == page.base_url.rstrip("/")
    assert not User.objects.get(username=username).must_change_password
    context.close()
