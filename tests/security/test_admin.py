"""Finding 3 and 5: the back office is for root superusers only; every admin write audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.core.models import AuditLog
from tests.factories.accounts import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_admin(tree):
    return make_user(tree.district_a, "system_admin", username="district_admin")


def test_a_system_admin_below_the_root_gets_no_admin(client_for, district_admin, users):
    assert district_admin.is_staff
    client = client_for(district_admin)
    for url in (
        reverse("admin:index"),
        reverse("admin:accounts_user_change", args=[district_admin.pk]),
        reverse("admin:authtoken_tokenproxy_changelist"),
        reverse("admin:core_parameter_changelist"),
        reverse("admin:django_celery_beat_periodictask_changelist"),
    ):
        resp = client.get(url)
        assert resp.status_code == 302 and "/admin/login/" in resp["Location"], url


def test_a_system_admin_below_the_root_cannot_make_itself_superuser(client_for, district_admin, tree):
    url = reverse("admin:accounts_user_change", args=[district_admin.pk])
    client_for(district_admin).post(
        url, {"username": "district_admin", "is_superuser": "on", "is_staff": "on", "organization": tree.city.pk}
    )
    district_admin.refresh_from_db()
    assert not district_admin.is_superuser and district_admin.organization_id == tree.district_a.pk


def test_a_superuser_below_the_root_gets_no_admin_either(client_for, tree):
    stray = make_user(tree.district_a, "system_admin", username="stray_super", superuser=True)
    assert client_for(stray).get(reverse("admin:index")).status_code == 302


def test_the_root_superuser_has_the_admin(client_for, users):
    assert client_for(users.admin).get(reverse("admin:index")).status_code == 200


def test_saving_a_user_in_the_admin_keeps_the_role_group_and_is_audited(client_for, users, tree):
    target = users.secretary_a
    url = reverse("admin:accounts_user_change", args=[target.pk])
    resp = client_for(users.admin).post(
        url,
        {
            "username": target.username,
            "display_name": "新名字",
            "phone": "",
            "email": "",
            "organization": tree.branch_a.pk,
            "role": "branch_secretary",
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    target.refresh_from_db()
    assert target.display_name == "新名字"
    assert list(target.groups.values_list("name", flat=True)) == [Group.objects.get(name="branch_secretary").name]
    row = AuditLog.objects.filter(event__startswith="admin.user").latest("id")
    assert row.actor_id == users.admin.pk and "新名字" in row.object_repr + row.note


def test_the_user_admin_form_has_no_permission_or_group_boxes(client_for, users):
    html = client_for(users.admin).get(reverse("admin:accounts_user_change", args=[users.leader.pk])).content
    assert b'name="groups"' not in html and b'name="user_permissions"' not in html
