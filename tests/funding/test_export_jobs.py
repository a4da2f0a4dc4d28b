"""Funding tables export through the background job path when large: same rows, same scope, a job page."""

import pytest
from django.urls import reverse

from apps.funding import services
from tests.funding.helpers import allocate, spend, this_year
from tests.helpers import export_sync_and_as_job

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "funding:standard_list",
        "funding:budget_list",
        "funding:allocation_list",
        "funding:expense_list",
        "funding:level_summary",
        "funding:execution",
    ],
)
def test_large_funding_export_is_a_job_with_the_same_rows(
    tree, users, client_for, django_capture_on_commit_callbacks, url
):
    a = allocate(users.street_staff, tree.street_a, tree.branch_a, "1000.00")
    spend(users.secretary_a, a, "250.00")
    allocate(users.city_staff, tree.city, tree.branch_c, "800.00")  # another district: never exported
    services.standard_create(
        acting_user=users.street_staff, region=tree.street_a, year=this_year(), name="社区党建工作经费",
        basis="per_org", amount="5000", source="fiscal", target_kind="branch",
    )  # fmt: skip
    services.budget_set(
        acting_user=users.street_staff, organization=tree.street_a, year=this_year(), source="fiscal", amount="9000"
    )
    query = "?format=xlsx&kind=branch" if url == "funding:level_summary" else "?format=xlsx"
    sync, job_rows, job = export_sync_and_as_job(
        client_for(users.street_staff), reverse(url) + query, django_capture_on_commit_callbacks
    )
    assert job_rows == sync and len(sync) >= 2
    assert "丙支部" not in str(job_rows)
    assert job.created_by == users.street_staff
