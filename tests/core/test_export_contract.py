"""Contract: every spreadsheet the app offers guards its cells (apps/core/spreadsheets.py).

The test walks the URLconf for every view that serves .xlsx, fails if one is not exercised here, fills the
database with text that a spreadsheet would run as a formula, downloads each export and fails on any cell
that is a formula or still starts like one."""

import datetime
import inspect
import io

import openpyxl
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.core.spreadsheets import is_formula_like
from apps.members.models import Member
from apps.organizations.models import Organization
from apps.responsibility import services
from tests.factories.members import make_member
from tests.factories.responsibility import last_month, make_ledger, make_problem, make_task, system_user
from tests.members.import_helpers import member_row
from tests.members.test_import_views import make_job

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://example.invalid","点我")'


def _export_views():
    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern) and p.name:
                yield ns + p.name, getattr(p.callback, "view_class", None) or getattr(p.callback, "cls", None)

    found = set()
    for name, cls in walk(get_resolver().url_patterns):
        if cls is None:
            continue
        source = "".join(inspect.getsource(c) for c in cls.__mro__ if c.__module__.startswith("apps."))
        if "xlsx" in source:
            found.add(name)
    return found


def _cells(content: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


@pytest.fixture
def evil_data(tree, users, tmp_path):
    for org in Organization.objects.all():
        Organization.objects.filter(pk=org.pk).update(name=f"{EVIL}{org.name}")
    today = datetime.date.today()
    make_task(tree.branch_a, content="=1+1")
    make_problem(tree.branch_a, description="-2+3 整改", category="@SUM(A1)")
    services.duty_create(
        acting_user=system_user(), organization=tree.branch_a, year=today.year, person_name="+张三",
        post="secretary", duties="\t=1",
    )  # fmt: skip
    make_ledger(tree.branch_a)
    issuance = services.items_issue(
        acting_user=system_user(), issuer=tree.city, item_type="task", year=today.year, title="=下发",
        payload={}, due_date=today + datetime.timedelta(days=30),
    )  # fmt: skip
    from apps.responsibility.stats import stats_refresh

    stats_refresh(period=last_month())
    member = make_member(tree.branch_a)
    Member.objects.filter(pk=member.pk).update(name="＝SUM(1)", work_unit=" =1+1")
    from apps.members.contact_models import ContactReview, MobileRecord

    ContactReview.objects.create(
        member=member, organization=tree.branch_a, org_path=tree.branch_a.path, kind="lost_contact", opened_on=today,
        note="=1+1",
    )  # fmt: skip
    MobileRecord.objects.create(
        member=member, organization=tree.branch_a, org_path=tree.branch_a.path, direction="outflow", place="=深圳",
        starts_on=today, certificate_no="+123",
    )  # fmt: skip
    job = make_job(users.roster_admin, tmp_path, [member_row(身份证号="340524198001010013", 姓名="=cmd")])
    Organization.objects.filter(pk=tree.branch_a.pk).update(secretary_member=member)
    from apps.accounts.provisioning import provisioning_commit

    batch = provisioning_commit(
        acting_user=users.city_staff,
        root=Organization.objects.get(pk=tree.city.pk),
        organization_ids=[tree.branch_a.pk],
    )
    from apps.assessment.models import AssessmentResult
    from apps.assessment.services import plan_start_scoring
    from tests.factories.assessment import make_simple_plan

    plan, _inds = make_simple_plan(users.city_staff, Organization.objects.get(pk=tree.city.pk), title="=考核")
    plan_start_scoring(acting_user=users.city_staff, plan=plan)
    result = AssessmentResult.objects.filter(plan=plan).first()
    return {"issuance": issuance, "job": job, "batch": batch, "plan": plan, "result": result}


def _exports(evil_data, users):
    month = last_month()
    staff = users.city_staff
    return {
        "responsibility:item_list": (staff, reverse("responsibility:item_list") + "?export=xlsx", True),
        "responsibility:problem_list": (staff, reverse("responsibility:problem_list") + "?export=xlsx", True),
        "responsibility:duty_list": (staff, reverse("responsibility:duty_list") + "?export=xlsx", True),
        "responsibility:rectification_list": (staff, reverse("responsibility:rectification_list") + "?export=xlsx", True),
        "responsibility:ledger_list": (staff, reverse("responsibility:ledger_list") + "?export=xlsx", True),
        "responsibility:issuance_detail": (
            staff, reverse("responsibility:issuance_detail", args=[evil_data["issuance"].pk]) + "?export=xlsx", True,
        ),
        "responsibility:item_import": (staff, reverse("responsibility:item_import", args=["task"]) + "?template=1", False),
        "responsibility:rollup": (staff, reverse("responsibility:rollup") + f"?month={month}&export=xlsx", True),
        "supervision:bulletin": (staff, reverse("supervision:bulletin") + "?format=xlsx", True),
        "members:member_export": (users.roster_admin, reverse("members:member_export"), True),
        "members:import_template": (users.roster_admin, reverse("members:import_template"), False),
        "members:import_errors": (
            users.roster_admin, reverse("members:import_errors", args=[evil_data["job"].pk]), False,
        ),
        "members:recruitment_list": (staff, reverse("members:recruitment_list") + "?export=xlsx", False),
        "members:transfer_list": (staff, reverse("members:transfer_list") + "?export=xlsx", False),
        "members:dues_template": (staff, reverse("members:dues_template", args=["payments"]), False),
        "organizations:organization_list": (staff, reverse("organizations:organization_list") + "?export=xlsx", True),
        "supervision:letter_list": (staff, reverse("supervision:letter_list") + "?export=xlsx", False),
        "supervision:inspection_list": (staff, reverse("supervision:inspection_list") + "?export=xlsx", False),
        "supervision:accountability_list": (staff, reverse("supervision:accountability_list") + "?export=xlsx", False),
        "core:auditlog_list": (staff, reverse("core:auditlog_list") + "?export=xlsx", False),
        "accounts:user_list": (staff, reverse("accounts:user_list") + "?export=xlsx", True),
        "accounts:provisioning_download": (
            staff, reverse("accounts:provisioning_download", args=[evil_data["batch"].pk]), True, "post",
        ),
        "funding:execution": (staff, reverse("funding:execution") + "?format=xlsx", False),
        "funding:standard_list": (staff, reverse("funding:standard_list") + "?format=xlsx", False),
        "funding:allocation_list": (staff, reverse("funding:allocation_list") + "?format=xlsx", False),
        "funding:budget_list": (staff, reverse("funding:budget_list") + "?format=xlsx", False),
        "funding:expense_list": (staff, reverse("funding:expense_list") + "?format=xlsx", False),
        "funding:level_summary": (staff, reverse("funding:level_summary") + "?format=xlsx", False),
        "service_requests:request_list": (staff, reverse("service_requests:request_list") + "?export=xlsx", False),
        "service_requests:wish_list": (staff, reverse("service_requests:wish_list") + "?export=xlsx", False),
        "service_requests:registration_list": (
            staff, reverse("service_requests:registration_list") + "?export=xlsx", False,
        ),
        "service_requests:stats": (staff, reverse("service_requests:stats") + "?export=xlsx", False),
        "dashboards:party_stats": (staff, reverse("dashboards:party_stats") + "?format=xlsx", True),
        "responsibility:issuance_list": (staff, reverse("responsibility:issuance_list") + "?export=xlsx", True),
        "supervision:observation_list": (staff, reverse("supervision:observation_list") + "?export=xlsx", False),
        "assessment:plan_list": (staff, reverse("assessment:plan_list") + "?export=xlsx", True),
        "assessment:appeal_list": (staff, reverse("assessment:appeal_list") + "?export=xlsx", False),
        "assessment:dutyreport_list": (staff, reverse("assessment:dutyreport_list") + "?export=xlsx", False),
        "members:appraisal_list": (staff, reverse("members:appraisal_list") + "?export=xlsx", False),
        "members:contact_review_list": (staff, reverse("members:contact_review_list") + "?export=xlsx", True),
        "members:mobility_list": (users.roster_admin, reverse("members:mobility_list") + "?export=xlsx", True),
        "members:vote_list": (staff, reverse("members:vote_list") + "?export=xlsx", False),
        "assessment:ranking": (
            staff, reverse("assessment:ranking", args=[evil_data["plan"].pk]) + "?format=xlsx", True,
        ),
        "assessment:ranking_print": (
            staff, reverse("assessment:ranking_print", args=[evil_data["plan"].pk]) + "?format=xlsx", True,
        ),
        "assessment:result_detail": (
            staff, reverse("assessment:result_detail", args=[evil_data["result"].pk]) + "?format=xlsx", False,
        ),
    }  # fmt: skip


def test_every_export_is_covered_by_this_contract(evil_data, users):
    assert _export_views() <= set(_exports(evil_data, users)), "a new .xlsx view: add it to _exports()"


def test_no_export_has_an_unguarded_cell(evil_data, users, client_for):
    for name, (user, url, has_evil, *method) in _exports(evil_data, users).items():
        client = client_for(user)
        response = client.post(url) if method == ["post"] else client.get(url)
        assert response.status_code == 200, name
        content = b"".join(response.streaming_content) if response.streaming else response.content
        values = []
        for cell in _cells(content):
            assert cell.data_type != "f", (name, cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert not is_formula_like(cell.value), (name, cell.coordinate, cell.value)
                values.append(cell.value)
        if has_evil:  # the formula-like text was there, and came out guarded
            assert any(v.startswith("'=") or v.startswith("' =") or v.startswith("'＝") for v in values), name
