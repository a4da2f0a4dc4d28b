"""本单位设置 → 服务类别: own categories edited, the ancestors' read only, siblings' invisible; validated
with Chinese messages naming the field; audited."""

import pytest
from django.urls import reverse

from apps.core.models import AuditLog
from apps.service_requests.models import ServiceCategory
from tests.factories.service_requests import make_category

pytestmark = pytest.mark.django_db

URL = "service_requests:category_settings"


def _form(**kw):
    data = {"name": "养老服务", "parent": "", "response_limit_days": 1, "closure_limit_days": 5,
            "follow_up_days": 3, "sort_order": 0, "is_active": "on"}  # fmt: skip
    data.update(kw)
    return data


def test_section_is_on_the_settings_hub_for_staff_only(tree, users, client_for):
    hub = client_for(users.district_staff).get(reverse("core:org_settings")).content.decode()
    assert reverse(URL) in hub and "服务类别" in hub
    hub = client_for(users.secretary_a).get(reverse("core:org_settings")).content.decode()
    assert reverse(URL) not in hub
    assert client_for(users.secretary_a).get(reverse(URL)).status_code == 403
    assert client_for(users.leader).get(reverse("service_requests:category_create")).status_code == 403


def test_list_shows_own_editable_and_ancestors_read_only(tree, users, sr, client_for):
    own = make_category(tree.district_a, name="区级矛盾调解")
    sibling = make_category(tree.district_b, name="乙区专属类别")
    html = client_for(users.district_staff).get(reverse(URL)).content.decode()
    assert "区级矛盾调解" in html and "民事代办" in html and "测试市委" in html
    assert "乙区专属类别" not in html
    assert reverse("service_requests:category_edit", args=[own.pk]) in html
    assert reverse("service_requests:category_edit", args=[sr.cat.pk]) not in html
    client = client_for(users.district_staff)
    # the ancestor's and the sibling's categories cannot be opened for editing
    assert client.get(reverse("service_requests:category_edit", args=[sr.cat.pk])).status_code == 404
    assert client.get(reverse("service_requests:category_edit", args=[sibling.pk])).status_code == 404
    resp = client.post(reverse("service_requests:category_edit", args=[sibling.pk]), _form(name="改名"))
    assert resp.status_code == 404 and ServiceCategory.objects.get(pk=sibling.pk).name == "乙区专属类别"


def test_create_and_edit_are_validated_in_chinese_and_audited(tree, users, sr, client_for):
    client = client_for(users.district_staff)
    create = reverse("service_requests:category_create")
    bad = client.post(create, _form(name=" ", response_limit_days=9, closure_limit_days=3, follow_up_days=0))
    html = bad.content.decode()
    assert bad.status_code == 200
    import re

    print(re.findall(r"(?:invalid-feedback|text-danger)[^>]*>([^<]+)<", html))
    assert "请填写类别名称" in html or "这个字段是必填项" in html
    bad = client.post(create, _form(response_limit_days=9, closure_limit_days=3, follow_up_days=0))
    html = bad.content.decode()
    assert "受理时限不能长于办结时限" in html and "回访时限须为1到60之间的整数" in html
    assert not ServiceCategory.objects.filter(name="养老服务").exists()
    resp = client.post(create, _form(parent=sr.cat.pk, follow_up_days=4))
    assert resp.status_code == 302
    cat = ServiceCategory.objects.get(name="养老服务")
    assert (cat.organization_id, cat.parent_id, cat.follow_up_days) == (tree.district_a.pk, sr.cat.pk, 4)
    assert AuditLog.objects.filter(event="servicecategory.create", object_id=str(cat.pk)).exists()
    dup = client.post(create, _form(parent=sr.cat.pk))
    assert "本单位已有同名类别「养老服务」" in dup.content.decode()
    two_levels = client.post(create, _form(name="三级", parent=sr.sub.pk))
    assert two_levels.status_code == 200 and ServiceCategory.objects.filter(name="三级").count() == 0
    resp = client.post(reverse("service_requests:category_edit", args=[cat.pk]),
                       _form(parent=sr.cat.pk, closure_limit_days=8, is_active=""))  # fmt: skip
    assert resp.status_code == 302
    cat.refresh_from_db()
    assert (cat.closure_limit_days, cat.is_active) == (8, False)
    log = AuditLog.objects.get(event="servicecategory.update", object_id=str(cat.pk))
    assert log.changes["closure_limit_days"] == [5, 8]
    page = client.get(reverse("service_requests:category_edit", args=[cat.pk])).content.decode()
    assert "---------" not in page and "（无，作为一级类别）" in page
