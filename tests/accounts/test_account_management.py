"""Account management (账号管理): role ceiling, scope, provisioning, reset/unlock/deactivate, forced change."""

from __future__ import annotations

import io
import re

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from apps.accounts import provisioning, services
from apps.accounts.models import User
from apps.core.models import AuditLog
from tests.factories.accounts import make_user
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


def _events(obj_pk: int) -> list[str]:
    return list(AuditLog.objects.filter(object_id=str(obj_pk)).values_list("event", flat=True))


# -- role ceiling ---------------------------------------------------------------------------------------------


def test_street_staff_may_open_a_branch_secretary_account(tree, users):
    user = services.user_create(
        acting_user=users.street_staff, username="new_sec", password="Xq7#pLm2vT", role="branch_secretary",
        organization=tree.branch_a, display_name="新书记",
    )  # fmt: skip
    assert user.must_change_password is True
    assert user.groups.get().name == "branch_secretary"
    assert "user.create" in _events(user.pk)


@pytest.mark.parametrize("role", ["org_staff", "system_admin", "leader", "roster_admin"])
def test_street_staff_cannot_grant_a_role_above_its_ceiling(tree, users, role):
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            acting_user=users.street_staff, username="x1", password="Xq7#pLm2vT", role=role,
            organization=tree.branch_a, display_name="某人",
        )  # fmt: skip
    assert "role" in exc.value.message_dict


def test_street_staff_cannot_open_an_account_in_another_district(tree, users):
    with pytest.raises(PermissionDenied):
        services.user_create(
            acting_user=users.street_staff, username="x2", password="Xq7#pLm2vT", role="branch_secretary",
            organization=tree.branch_c, display_name="某人",
        )  # fmt: skip


def test_weak_password_is_refused_with_a_message_on_the_password(tree, users):
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            acting_user=users.street_staff, username="x3", password="1", role="branch_secretary",
            organization=tree.branch_a, display_name="某人",
        )  # fmt: skip
    assert "password" in exc.value.message_dict


def test_create_page_offers_only_grantable_roles_and_opens_with_one_time_password(client_for, tree, users):
    client = client_for(users.street_staff)
    page = client.get(reverse("accounts:user_create")).content.decode()
    assert "支部书记" in page and "组织部工作人员" not in page and "系统管理员" not in page
    resp = client.post(
        reverse("accounts:user_create"),
        {"username": "wang", "display_name": "王书记", "phone": "13800000000", "organization": tree.branch_b.pk,
         "role": "branch_secretary"},
    )  # fmt: skip
    user = User.objects.get(username="wang")
    assert resp["Location"] == reverse("accounts:user_password_shown", args=[user.pk])
    shown = client.get(resp["Location"]).content.decode()
    assert 'id="one-time-password"' in shown
    again = client.get(resp["Location"]).content.decode()
    assert 'id="one-time-password"' not in again and "只显示一次" in again


def test_create_page_refuses_a_role_above_the_ceiling_on_the_field(client_for, tree, users):
    resp = client_for(users.street_staff).post(
        reverse("accounts:user_create"),
        {"username": "li", "display_name": "李", "organization": tree.branch_b.pk, "role": "org_staff"},
    )
    assert resp.status_code == 200
    assert not User.objects.filter(username="li").exists()
    assert "role" in resp.context["form"].errors


# -- scope -----------------------------------------------------------------------------------------------------


def test_list_shows_only_accounts_in_scope(client_for, users):
    html = client_for(users.street_staff).get(reverse("accounts:user_list")).content.decode()
    assert "secretary_a" in html and "secretary_b" in html
    assert "district_b_staff" not in html and "city_staff" not in html


def test_sibling_district_staff_gets_404_on_the_account_page_and_api(client_for, api_for, users):
    url = reverse("accounts:user_detail", args=[users.secretary_a.pk])
    assert client_for(users.district_b_staff).get(url).status_code == 404
    api = api_for(users.district_b_staff)
    assert api.get(f"/api/v1/accounts/users/{users.secretary_a.pk}/").status_code == 404
    assert api.post(f"/api/v1/accounts/users/{users.secretary_a.pk}/reset-password/").status_code == 404
    listed = api.get("/api/v1/accounts/users/").json()
    assert users.secretary_a.username not in str(listed)


def test_sibling_district_staff_cannot_reset_by_posting_to_the_page(client_for, users):
    resp = client_for(users.district_b_staff).post(reverse("accounts:user_reset", args=[users.secretary_a.pk]))
    assert resp.status_code == 404
    users.secretary_a.refresh_from_db()
    assert users.secretary_a.must_change_password is False


def test_branch_secretary_has_no_account_pages(client_for, api_for, users):
    assert client_for(users.secretary_a).get(reverse("accounts:user_list")).status_code == 403
    assert api_for(users.secretary_a).get("/api/v1/accounts/users/").status_code == 403


def test_staff_cannot_manage_an_account_above_its_ceiling_in_scope(tree, users):
    district_staff_2 = make_user(tree.street_a, "org_staff", username="odd_staff")
    with pytest.raises(PermissionDenied):
        services.user_reset_password(acting_user=users.street_staff, user=district_staff_2)


def test_nobody_deactivates_their_own_account(users):
    with pytest.raises(PermissionDenied):
        services.user_set_active(acting_user=users.city_staff, user=users.city_staff, active=False)


# -- reset, unlock, deactivate ----------------------------------------------------------------------------------


def test_reset_password_forces_a_change_revokes_tokens_and_is_audited(users):
    token = Token.objects.create(user=users.secretary_a)
    password = services.user_reset_password(acting_user=users.street_staff, user=users.secretary_a)
    users.secretary_a.refresh_from_db()
    assert users.secretary_a.check_password(password)
    assert users.secretary_a.must_change_password
    assert not Token.objects.filter(pk=token.pk).exists()
    assert "user.reset_password" in _events(users.secretary_a.pk)


def test_locked_account_is_listed_and_unlocked(client_for, users):
    AccessAttempt.objects.create(
        username="secretary_a", ip_address="10.0.0.9", user_agent="x", failures_since_start=99,
        get_data="", post_data="", http_accept="", path_info="/accounts/login/",
    )  # fmt: skip
    client = client_for(users.street_staff)
    html = client.get(reverse("accounts:user_list") + "?locked=true").content.decode()
    assert "secretary_a" in html and "secretary_b" not in html
    client.post(reverse("accounts:user_unlock", args=[users.secretary_a.pk]))
    assert not AccessAttempt.objects.filter(username="secretary_a").exists()
    assert "user.unlock" in _events(users.secretary_a.pk)


def test_deactivated_account_keeps_its_history_and_cannot_log_in(client, users):
    services.user_set_active(acting_user=users.street_staff, user=users.secretary_a, active=False)
    assert {"user.create", "user.deactivate"} <= set(_events(users.secretary_a.pk))
    resp = client.post(reverse("accounts:login"), {"username": "secretary_a", "password": "pw-Test-1234"})
    assert resp.status_code == 200 and "_auth_user_id" not in client.session


def test_list_exports_what_it_shows_with_masked_phones(client_for, users):
    users.secretary_a.phone = "13912345678"
    users.secretary_a.save()
    resp = client_for(users.street_staff).get(reverse("accounts:user_list") + "?role=branch_secretary&export=xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.values)
    assert ws.title == "账号清单"
    assert rows[0][0] == "用户名"
    names = {r[0] for r in rows[1:]}
    assert names == {"secretary_a", "secretary_b"}
    assert "139****5678" in {r[4] for r in rows[1:]}


# -- forced change at first login -------------------------------------------------------------------------------


def test_first_login_must_change_password_before_anything_else(client, tree, users):
    services.user_create(
        acting_user=users.street_staff, username="fresh", password="Xq7#pLm2vT", role="branch_secretary",
        organization=tree.branch_a, display_name="新书记",
    )  # fmt: skip
    client.post(reverse("accounts:login"), {"username": "fresh", "password": "Xq7#pLm2vT"})
    home = client.get(reverse("core:home"))
    assert home.status_code == 302 and home["Location"] == reverse("accounts:password_change")
    assert client.get("/api/v1/me/").status_code == 403
    bad = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Xq7#pLm2vT", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert bad.status_code == 200 and "new_password1" in bad.context["form"].errors
    ok = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Xq7#pLm2vT", "new_password1": "Nq8%wRt4zY", "new_password2": "Nq8%wRt4zY"},
    )
    assert ok.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert User.objects.get(username="fresh").must_change_password is False


def test_demo_style_accounts_created_by_the_system_do_not_force_a_change(users):
    assert users.city_staff.must_change_password is False


def test_password_change_ends_other_sessions(client, users):
    from django.test import Client

    other = Client()
    other.post(reverse("accounts:login"), {"username": "secretary_a", "password": "pw-Test-1234"})
    assert other.get(reverse("core:home")).status_code == 200
    client.post(reverse("accounts:login"), {"username": "secretary_a", "password": "pw-Test-1234"})
    page = client.get(reverse("accounts:my_account")).content.decode()
    assert page.count("list-group-item small") >= 2
    client.post(
        reverse("accounts:password_change"),
        {"old_password": "pw-Test-1234", "new_password1": "Nq8%wRt4zY", "new_password2": "Nq8%wRt4zY"},
    )
    assert other.get(reverse("core:home")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


# -- provisioning from the roster -------------------------------------------------------------------------------


@pytest.fixture
def secretaries(tree):
    a = make_member(tree.branch_a, name="张书记")
    b = make_member(tree.branch_b, name="李书记")
    for org, member in ((tree.branch_a, a), (tree.branch_b, b)):
        org.secretary_member = member
        org.secretary_name = member.name
        org.save()
    return a, b


def test_provisioning_preview_commit_and_rerun_creates_none_twice(client_for, tree, users, secretaries):
    client = client_for(users.street_staff)
    preview = client.get(reverse("accounts:provisioning")).content.decode()
    assert "张书记" in preview and "李书记" in preview and "sjb000a" in preview
    resp = client.post(
        reverse("accounts:provisioning"),
        {"org": tree.street_a.code, "organizations": [tree.branch_a.pk, tree.branch_b.pk]},
    )
    assert resp.status_code == 302
    created = User.objects.filter(member__in=secretaries)
    assert created.count() == 2 and all(u.must_change_password for u in created)
    assert {u.role for u in created} == {"branch_secretary"}
    assert provisioning.provisioning_candidates(acting_user=users.street_staff, root=tree.street_a) == []
    with pytest.raises(ValidationError):
        provisioning.provisioning_commit(
            acting_user=users.street_staff, root=tree.street_a, organization_ids=[tree.branch_a.pk]
        )
    assert User.objects.filter(member__in=secretaries).count() == 2


def test_provisioning_scope_is_picked_by_name_not_typed_as_a_code(client_for, tree, users, secretaries):
    """docs/ui.md: organizations are chosen by name. The 范围 box was a bare text box for the code."""
    client = client_for(users.street_staff)
    html = client.get(reverse("accounts:provisioning")).content.decode()
    assert "data-org-picker" in html and "党组织代码" not in html
    assert re.search(
        rf'data-org-picker[^>]*value="{tree.street_a.name}"|value="{tree.street_a.name}"[^>]*data-org-picker', html
    )
    by_name = client.get(reverse("accounts:provisioning") + f"?org_search={tree.branch_a.name}").content.decode()
    assert "张书记" in by_name and "李书记" not in by_name
    assert client.get(reverse("accounts:provisioning") + "?org_search=不存在的支部").status_code == 404
    sibling = client_for(users.district_b_staff)
    assert sibling.get(reverse("accounts:provisioning") + f"?org_search={tree.branch_a.name}").status_code == 404


def test_initial_password_list_downloads_once_and_is_audited(client_for, tree, users, secretaries):
    batch = provisioning.provisioning_commit(
        acting_user=users.street_staff, root=tree.street_a, organization_ids=[tree.branch_a.pk, tree.branch_b.pk]
    )
    client = client_for(users.street_staff)
    url = reverse("accounts:provisioning_download", args=[batch.pk])
    first = client.post(url)
    assert first.status_code == 200
    rows = list(load_workbook(io.BytesIO(first.content)).active.values)
    assert rows[0] == ("支部", "组织代码", "书记", "用户名", "初始密码")
    user = User.objects.get(username=rows[1][3])
    assert user.check_password(rows[1][4])
    second = client.post(url)
    assert second.status_code == 302
    batch.refresh_from_db()
    assert batch.secret is None and batch.downloaded_by == users.street_staff
    assert "provisioning.download" in _events(batch.pk)


def test_sibling_district_cannot_see_or_download_a_batch(client_for, tree, users, secretaries):
    batch = provisioning.provisioning_commit(
        acting_user=users.street_staff, root=tree.street_a, organization_ids=[tree.branch_a.pk]
    )
    client = client_for(users.district_b_staff)
    assert client.get(reverse("accounts:provisioning_detail", args=[batch.pk])).status_code == 404
    assert client.post(reverse("accounts:provisioning_download", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.secret is not None


def test_secretary_change_flags_the_old_account_and_hands_it_over(client_for, tree, users, secretaries):
    provisioning.provisioning_commit(acting_user=users.street_staff, root=tree.street_a,
                                     organization_ids=[tree.branch_a.pk])  # fmt: skip
    account = User.objects.get(member=secretaries[0])
    successor = make_member(tree.branch_a, name="赵新书记")
    tree.branch_a.secretary_member = successor
    tree.branch_a.save()
    client = client_for(users.street_staff)
    assert "书记已更换" in client.get(reverse("accounts:user_list")).content.decode()
    client.post(reverse("accounts:user_reassign", args=[account.pk]))
    account.refresh_from_db()
    assert account.member == successor and account.display_name == "赵新书记" and account.must_change_password
    assert "user.reassign" in _events(account.pk)


# -- API -------------------------------------------------------------------------------------------------------


def test_api_creates_within_the_ceiling_and_refuses_above(api_for, tree, users):
    api = api_for(users.street_staff)
    ok = api.post("/api/v1/accounts/users/", {"username": "apisec", "display_name": "甲", "organization":
                                              tree.branch_a.pk, "role": "branch_secretary"}, format="json")  # fmt: skip
    assert ok.status_code == 201 and ok.json()["password"]
    bad = api.post("/api/v1/accounts/users/", {"username": "apistaff", "display_name": "乙", "organization":
                                               tree.branch_a.pk, "role": "org_staff"}, format="json")  # fmt: skip
    assert bad.status_code == 400 and "role" in bad.json()


def test_api_me_under_accounts(api_for, users):
    data = api_for(users.secretary_a).get("/api/v1/accounts/me/").json()
    assert data["username"] == "secretary_a"


def test_large_account_list_export_is_a_job_with_the_same_masked_rows(
    client_for, users, django_capture_on_commit_callbacks
):
    from tests.helpers import export_sync_and_as_job

    users.secretary_a.phone = "13912345678"
    users.secretary_a.save()
    url = reverse("accounts:user_list") + "?role=branch_secretary&export=xlsx"
    sync, job_rows, _job = export_sync_and_as_job(
        client_for(users.street_staff), url, django_capture_on_commit_callbacks
    )
    assert job_rows == sync and {r[0] for r in job_rows[1:]} == {"secretary_a", "secretary_b"}
    assert "13912345678" not in str(job_rows)
