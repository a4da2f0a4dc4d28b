"""An indicator ranked by a 观摩活动 names the visit: the form asked for its number (观摩活动编号, an integer box)
and the plan showed 观摩活动 #2. Now the form offers the visits held in the plan's subtree by title and month,
and the plan shows the title."""

import re

import pytest
from django.urls import reverse

from apps.supervision.models import ObservationVisit
from tests.factories.assessment import add, make_plan

pytestmark = pytest.mark.django_db


def test_indicator_form_offers_visits_by_title_and_plan_shows_the_title(tree, users, client_for):
    staff = users.district_staff
    visit = ObservationVisit.objects.create(organization=tree.district_a, title="逐社观摩", period="2025-11")
    other = ObservationVisit.objects.create(organization=tree.district_b, title="乙区观摩", period="2025-11")
    plan = make_plan(staff, tree.district_a)
    client = client_for(staff)
    html = client.get(reverse("assessment:indicator_create", args=[plan.pk])).content.decode()
    select = re.search(r'<select name="visit".*?</select>', html, re.S).group(0)
    assert f'<option value="{visit.pk}">逐社观摩（2025年11月）</option>' in select
    assert "乙区观摩" not in select and other.pk != visit.pk  # another district's visit is not offered
    assert "观摩活动编号" not in html

    group = add(staff, plan, "组织建设", "group", 100)
    add(staff, plan, "观摩评比", "standard", 100, parent=group, method="observation", rule={"visit": visit.pk})
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "观摩活动：逐社观摩" in page and f"#{visit.pk}" not in page
