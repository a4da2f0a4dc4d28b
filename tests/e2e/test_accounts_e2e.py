import io

import pytest
from openpyxl import load_workbook

from apps.accounts.models import User
from tests.e2e.ui_assertions import assert_clean_page
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


# -- #16: the SMS option (FileSmsSender: the "phone" is a file) and the 组织生活日 settings page ----------------


def _sms_password(outbox, phone: str, timeout: float = 15.0) -> str:
    """The password in the last SMS to ``phone`` (the queued delivery runs on commit; send now if pending)."""
    import time

    from apps.notifications.sending import deliveries_send

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [ln for ln in (outbox.read_text(encoding="utf-8") if outbox.exists() else "").splitlines()
                 if f"\t{phone}\t" in ln]  # fmt: skip
        if lines:
            return lines[-1].split("码：")[1].split("。")[0]
        deliveries_send()
        time.sleep(0.5)
    raise AssertionError(f"no SMS to {phone} in {outbox}")


def _login_and_change(browser, base_url: str, username: str, password: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = context.new_page()
    phone.goto(f"{base_url}/accounts/login/")
    phone.fill("#id_username", username)
    phone.fill("#id_password", password)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/accounts/password/")
    assert "请先设置自己的新密码" in phone.inner_text("main")
    assert_clean_page(phone)
    phone.fill("#id_old_password", password)
    phone.fill("#id_new_password1", "Hq5%mZt8wK")
    phone.fill("#id_new_password2", "Hq5%mZt8wK")
    phone.click("button:has-text('修改密码')")
    phone.wait_for_url("**/accounts/me/")
    context.close()
    assert not User.objects.get(username=username).must_change_password


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_BACKEND = "apps.notifications.sms.FileSmsSender"
    settings.SMS_FILE_PATH = str(tmp_path / "sms-outbox.txt")
    return tmp_path / "sms-outbox.txt"


def test_bulk_provisioning_by_sms_sends_the_password_only_by_sms(tree, users, page_for, browser, sms_file):
    tree.branch_a.secretary_member = make_member(tree.branch_a, name="张书记", phone="13800138001")
    tree.branch_a.secretary_name = "张书记"
    tree.branch_a.save()
    page = page_for(users.street_staff)
    page.goto(f"{page.base_url}/accounts/provisioning/")
    assert_clean_page(page)
    page.check("#id_by_sms")
    page.on("dialog", lambda d: d.accept())
    page.click("button:has-text('确认开通')")
    page.wait_for_selector("text=已交由短信发送")
    assert_clean_page(page)
    account = (
        User.objects.filter(organization=tree.branch_a, role="branch_secretary")
        .exclude(username=users.secretary_a.username)
        .get()
    )
    password = _sms_password(sms_file, "13800138001")
    assert password not in page.content()  # never on a page
    page.reload()
    assert password not in page.content()
    _login_and_change(browser, page.base_url, account.username, password)


def test_reset_by_sms_from_the_account_page(tree, users, page_for, browser, sms_file):
    target = users.secretary_a
    target.phone = "13900139000"
    target.save()
    page = page_for(users.street_staff)
    page.goto(f"{page.base_url}/accounts/users/{target.pk}/")
    assert_clean_page(page)
    page.on("dialog", lambda d: d.accept())
    page.click("button:has-text('重置并短信发送')")
    page.wait_for_load_state()
    assert "139****9000" in page.inner_text("main")
    assert_clean_page(page)
    password = _sms_password(sms_file, "13900139000")
    assert password not in page.content()
    _login_and_change(browser, page.base_url, target.username, password)


def test_life_day_settings_page_sets_the_day_and_the_subtree_inherits_it(tree, users, page_for):
    from apps.responsibility.life_day_models import OrgLifeDay

    page = page_for(users.street_staff)
    page.goto(f"{page.base_url}/responsibility/settings/life-day/")
    assert_clean_page(page)
    page.check("input[name=rule][value=monthday]")
    page.fill("#id_day", "35")
    page.click("button:has-text('保存')")
    assert "1至28" in page.inner_text("main")  # refused, the field named
    assert_clean_page(page)
    page.fill("#id_day", "10")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=组织生活日已保存")
    assert "本单位的组织生活日" in page.inner_text("main") and "今后六个月" in page.inner_text("main")
    assert_clean_page(page)
    setting = OrgLifeDay.objects.get(organization=tree.street_a)
    assert setting.rule == "monthday" and setting.day == 10
    secretary = page_for(users.secretary_a, width=390)
    secretary.goto(f"{secretary.base_url}/responsibility/settings/life-day/")
    if "组织生活日" in secretary.inner_text("main") and "执行上级" in secretary.inner_text("main"):
        assert tree.street_a.name in secretary.inner_text("main")
    assert_clean_page(secretary)
