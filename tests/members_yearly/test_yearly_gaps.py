"""Quorum without 留党察看, inflow members at the host's meetings, 个人自评, the general meeting's votes of every
kind, and the set-based month import (each test fails without its behaviour)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core.models import AuditLog
from apps.core.periods import Period
from apps.members.appraisal import appraisal_decide, appraisal_open, appraisal_propose, appraisal_record_self
from apps.members.contact_models import BranchVote, MobileRecord, VoteKind
from apps.members.dues_import import dues_import_file
from apps.members.dues_models import DuesPayment
from apps.members.models import Recruitment
from apps.members.votes import branch_vote_record, confirmation_vote_problem
from apps.responsibility.services import meeting_create
from tests.factories.accounts import make_user
from tests.factories.members import make_id_number, make_member
from tests.factories.responsibility import last_month, make_ledger, system_user

from .helpers import count_queries, xlsx

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.date.today()


# ---------------------------------------------------------------- quorum (domain.md §2)


def _general(ledger, present, absent):
    return meeting_create(
        acting_user=system_user(),
        ledger=ledger,
        kind="general_meeting",
        held_on=ledger.period.first_day.replace(day=10),
        topic="支部党员大会",
        attendees=[m.pk for m in present],
        absentees={m.pk: "因公外出" for m in absent},
    )


def test_quorum_leaves_out_members_under_probation_of_party_standing(tree):
    voting = [make_member(tree.branch_a, name=f"正式{i}") for i in range(3)]
    on_probation = make_member(
        tree.branch_a, name="察看", discipline="probation", discipline_until=TODAY.replace(year=TODAY.year + 1)
    )
    ledger = make_ledger(tree.branch_a)
    # 2 of the 3 members with a vote came: more than half (the one under 留党察看 has no vote and is not counted)
    meeting = _general(ledger, voting[:2], [voting[2], on_probation])
    meeting.refresh_from_db()
    assert meeting.quorum_met is True and meeting.quorum_note == ""


def test_expired_probation_of_party_standing_votes_again(tree):
    voting = [make_member(tree.branch_a, name=f"正式{i}") for i in range(3)]
    restored = make_member(tree.branch_a, name="期满", discipline="probation", discipline_until=D(2000, 1, 1))
    ledger = make_ledger(tree.branch_a)
    meeting = _general(ledger, voting[:2], [voting[2], restored])
    meeting.refresh_from_db()
    assert meeting.quorum_met is False and "4人" in meeting.quorum_note


# ---------------------------------------------------------------- inflow members at the host branch


def _inflow(tree, member, starts_on, ended_on=None):
    return MobileRecord.objects.create(
        member=member,
        organization=member.organization,
        org_path=member.org_path,
        direction="outflow",
        place="甲街道",
        host_org=tree.branch_a,
        starts_on=starts_on,
        ended_on=ended_on,
        certificate_no="LD2026001",
    )


def test_inflow_member_attends_the_host_branch_and_never_counts_for_its_quorum(tree, users, client_for):
    own = [make_member(tree.branch_a, name=f"本支部{i}") for i in range(2)]
    guest = make_member(tree.branch_b, name="流入者")
    stranger = make_member(tree.branch_b, name="外支部")
    ledger = make_ledger(tree.branch_a)
    _inflow(tree, guest, ledger.period.first_day - datetime.timedelta(days=40))
    body = (
        client_for(users.secretary_a)
        .get(reverse("responsibility:meeting_create", args=[ledger.pk]) + "?kind=general_meeting")
        .content.decode()
    )
    assert "流入者" in body and "流入党员" in body and "外支部" not in body
    # the guest and one of two own members present: 1 of 2 voting members is not more than half
    meeting = _general(ledger, [guest, own[0]], [own[1]])
    meeting.refresh_from_db()
    assert meeting.attendee_count == 2 and meeting.quorum_met is False
    assert set(meeting.attendance.values_list("member_id", flat=True)) == {guest.pk, own[0].pk, own[1].pk}
    with pytest.raises(ValidationError) as exc:
        _general(make_ledger(tree.branch_a, ledger.period.previous()), [stranger], own)
    assert "外支部" in str(exc.value)


def test_inflow_ended_before_the_meeting_is_refused(tree):
    own = make_member(tree.branch_a)
    guest = make_member(tree.branch_b, name="已返回")
    ledger = make_ledger(tree.branch_a)
    _inflow(tree, guest, D(2020, 1, 1), ended_on=ledger.period.first_day - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        _general(ledger, [guest, own], [])
    assert "已返回" in str(exc.value)


# ---------------------------------------------------------------- 个人自评


@pytest.fixture
def appraisal(tree, users):
    members = [make_member(tree.branch_a, name=n) for n in ("自评甲", "自评乙", "自评丙")]
    obj = appraisal_open(acting_user=users.secretary_a, organization=tree.branch_a, year=TODAY.year - 1)
    return obj, members


def _member_account(tree, member):
    user = make_user(tree.branch_a, "leader", username=f"member{member.pk}")
    user.member = member
    user.save(update_fields=["member"])
    return user


def test_member_writes_own_self_assessment_on_the_page_audited(tree, users, client_for, appraisal):
    obj, members = appraisal
    me = _member_account(tree, members[0])
    entry = obj.entries.get(member=members[0])
    c = client_for(me)
    home = c.get(reverse("core:home")).content.decode()
    assert "民主评议党员：个人自评" in home and reverse("members:appraisal_self", args=[entry.pk]) in home
    page = c.get(reverse("members:appraisal_self", args=[entry.pk]))
    assert page.status_code == 200 and "自评甲" in page.content.decode()
    resp = c.post(
        reverse("members:appraisal_self", args=[entry.pk]),
        {"self_assessment": "一年来认真学习，按时交纳党费。", "self_assessed_on": TODAY.isoformat()},
    )
    assert resp.status_code == 302
    entry.refresh_from_db()
    assert entry.self_assessment.startswith("一年来") and entry.self_assessed_on == TODAY
    log = AuditLog.objects.get(event="appraisal_entry.self_assess")
    assert log.actor == me and "self_assessment" in log.changes and log.note == "本人填写"
    # another member's line: refused
    other = obj.entries.get(member=members[1])
    assert c.get(reverse("members:appraisal_self", args=[other.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        appraisal_record_self(acting_user=me, appraisal=obj, member_id=members[1].pk, text="代写")


def test_self_assessment_closes_with_the_committee_proposal(tree, users, client_for, appraisal):
    obj, members = appraisal
    appraisal_record_self(acting_user=users.secretary_a, appraisal=obj, member_id=members[1].pk, text="纸质自评录入")
    assert AuditLog.objects.get(event="appraisal_entry.self_assess").note == "代为录入"
    appraisal_propose(
        acting_user=users.secretary_a,
        appraisal=obj,
        levels={m.pk: "qualified" for m in members},
        committee_on=TODAY,
    )
    with pytest.raises(ValidationError) as exc:
        appraisal_record_self(acting_user=users.secretary_a, appraisal=obj, member_id=members[0].pk, text="迟交")
    assert "支部委员会提出评定意见之前" in str(exc.value)
    entry = obj.entries.get(member=members[0])
    body = client_for(users.secretary_a).get(reverse("members:appraisal_self", args=[entry.pk])).content.decode()
    assert 'id="self-assessment-closed"' in body and 'id="self-assessment-form"' not in body


def test_self_assessment_of_a_sibling_branch_is_refused_in_page_and_api(tree, users, client_for, api_for, appraisal):
    obj, members = appraisal
    entry = obj.entries.get(member=members[0])
    assert client_for(users.secretary_b).get(reverse("members:appraisal_self", args=[entry.pk])).status_code == 404
    url = f"/api/v1/members/appraisals/{obj.pk}/self-assessment/"
    payload = {"member": members[0].pk, "self_assessment": "越权"}
    assert api_for(users.secretary_b).post(url, payload, format="json").status_code == 404
    me = _member_account(tree, members[0])
    resp = api_for(me).post(url, {**payload, "self_assessment": "本人经接口填写"}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["self_assessment"] == "本人经接口填写" and resp.json()["member"] == members[0].pk
    resp = api_for(me).post(url, {"member": members[1].pk, "self_assessment": "代他人"}, format="json")
    assert resp.status_code == 403


# ---------------------------------------------------------------- votes of every kind


def _probationary(tree, *, ends_on):
    rec = Recruitment(
        organization=tree.branch_a,
        name="预备甲",
        gender="1",
        applied_on=D(2023, 1, 1),
        stage="probationary",
        branch_vote_on=ends_on.replace(year=ends_on.year - 1),
        probation_ends_on=ends_on,
    )
    rec.id_number = make_id_number()
    rec.save()
    return rec


def _voters(tree, n=4):
    return [make_member(tree.branch_a, name=f"表决{i}") for i in range(n)]


def test_confirmation_vote_waits_for_the_end_of_probation_and_a_failed_one_blocks(tree, users):
    _voters(tree)
    rec = _probationary(tree, ends_on=TODAY - datetime.timedelta(days=10))
    tally = {"present": 4, "votes_for": 2, "against": 2, "abstain": 0}
    with pytest.raises(ValidationError) as exc:
        branch_vote_record(
            acting_user=users.secretary_a,
            organization=tree.branch_a,
            kind="confirmation",
            recruitment=rec,
            held_on=TODAY - datetime.timedelta(days=11),
            **tally,
        )
    assert "预备期满" in str(exc.value)
    vote = branch_vote_record(
        acting_user=users.secretary_a,
        organization=tree.branch_a,
        kind="confirmation",
        recruitment=rec,
        held_on=TODAY,
        **tally,
    )
    assert (vote.kind, vote.subject, vote.passed) == ("confirmation", "预备甲预备党员转为正式党员", False)
    assert "本次表决未通过" in confirmation_vote_problem(rec)
    branch_vote_record(
        acting_user=users.secretary_a,
        organization=tree.branch_a,
        kind="confirmation",
        recruitment=rec,
        held_on=TODAY,
        present=4,
        votes_for=3,
        against=1,
        abstain=0,
    )
    assert confirmation_vote_problem(rec) is None


def test_confirmation_vote_needs_a_probationary_member(tree, users):
    _voters(tree)
    rec = _probationary(tree, ends_on=TODAY)
    Recruitment.objects.filter(pk=rec.pk).update(stage="candidate")
    rec.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        branch_vote_record(
            acting_user=users.secretary_a,
            organization=tree.branch_a,
            kind="confirmation",
            recruitment=rec,
            held_on=TODAY,
            present=3,
            votes_for=3,
            against=0,
            abstain=0,
        )
    assert "预备党员" in str(exc.value)


def test_a_failed_appraisal_vote_blocks_the_decision(tree, users, appraisal):
    obj, members = appraisal
    levels = {m.pk: "qualified" for m in members}
    branch_vote_record(
        acting_user=users.secretary_a,
        organization=tree.branch_a,
        kind="appraisal",
        appraisal=obj,
        held_on=TODAY,
        present=2,
        votes_for=1,
        against=1,
        abstain=0,
    )
    with pytest.raises(ValidationError) as exc:
        appraisal_decide(acting_user=users.secretary_a, appraisal=obj, levels=levels, meeting_on=TODAY)
    assert "本次表决未通过" in str(exc.value)
    branch_vote_record(
        acting_user=users.secretary_a,
        organization=tree.branch_a,
        kind="appraisal",
        appraisal=obj,
        held_on=TODAY,
        present=3,
        votes_for=3,
        against=0,
        abstain=0,
    )
    assert (
        appraisal_decide(acting_user=users.secretary_a, appraisal=obj, levels=levels, meeting_on=TODAY).status
        == "decided"
    )


def test_resolution_needs_a_subject_and_votes_list_is_scoped(tree, users, client_for, api_for):
    _voters(tree, 3)
    with pytest.raises(ValidationError) as exc:
        branch_vote_record(
            acting_user=users.secretary_a, organization=tree.branch_a, kind="resolution", held_on=TODAY,
            present=3, votes_for=3, against=0, abstain=0,
        )  # fmt: skip
    assert "表决事项" in str(exc.value)
    c = client_for(users.secretary_a)
    resp = c.post(
        reverse("members:vote_create"),
        {
            "kind": "resolution",
            "organization": tree.branch_a.code,
            "subject": "推选出席上级党代会代表",
            "held_on": TODAY.isoformat(),
            "present": 3,
            "votes_for": 2,
            "against": 1,
            "abstain": 0,
        },
    )
    assert resp.status_code == 302, resp.context["form"].errors
    vote = BranchVote.objects.get(kind=VoteKind.RESOLUTION)
    assert vote.passed and vote.eligible == 3
    assert "推选出席上级党代会代表" in c.get(reverse("members:vote_list")).content.decode()
    assert (
        "推选出席上级党代会代表" not in client_for(users.secretary_b).get(reverse("members:vote_list")).content.decode()
    )
    assert api_for(users.secretary_b).get(f"/api/v1/members/votes/{vote.pk}/").status_code == 404
    rows = api_for(users.secretary_a).get("/api/v1/members/votes/?kind=resolution").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert [r["kind_display"] for r in rows] == ["其他决议"]
    refused = api_for(users.secretary_b).post(
        "/api/v1/members/votes/",
        {"kind": "resolution", "organization": tree.branch_a.pk, "subject": "越权", "held_on": TODAY.isoformat(),
         "present": 1, "votes_for": 1, "against": 0, "abstain": 0},
        format="json",
    )  # fmt: skip
    assert refused.status_code == 404


# ---------------------------------------------------------------- set-based month import

HEAD = ["姓名", "身份证号", "月份", "金额", "交纳方式", "交纳日期"]
LAST = Period.current().previous()


def test_month_import_runs_the_same_statements_for_3_or_30_rows(tree, users):
    def run(n):
        members = [make_member(tree.branch_a) for _ in range(n)]
        rows = [HEAD] + [[m.name, m.id_number, str(LAST), "15", "现金", LAST.first_day] for m in members]
        f = xlsx(rows)
        return count_queries(lambda: dues_import_file(acting_user=users.secretary_a, kind="payments", upload=f))

    run(1)  # warm the per-process caches (content types, parameters)
    assert run(3) == run(30)
    assert DuesPayment.objects.count() == 34


def test_month_import_rules_by_row_and_column(tree, users):
    make_member(tree.branch_a, name="同名")
    make_member(tree.branch_a, name="同名")
    late = make_member(tree.branch_a, name="新预备", category="probationary", joined_on=TODAY)
    ok = make_member(tree.branch_a, name="正常")
    f = xlsx(
        [
            HEAD,
            ["同名", "", str(LAST), "15", "现金", LAST.first_day],
            ["新预备", late.id_number, str(LAST), "15", "现金", LAST.first_day],
            ["正常", ok.id_number, str(LAST), "15", "现金", LAST.first_day],
            ["正常", ok.id_number, str(LAST), "15", "现金", LAST.first_day],
            ["张冠李戴", ok.id_number, str(last_month().previous()), "15", "现金", LAST.first_day],
            ["查无此人", "", str(LAST), "15", "现金", LAST.first_day],
        ]
    )
    result = dues_import_file(acting_user=users.secretary_a, kind="payments", upload=f)
    text = [str(e) for e in result.errors]
    assert text == [
        "第2行「身份证号」：有同名党员，请填写身份证号",
        "第3行「月份」：在入党（支部大会通过）之前，预备党员从支部大会通过之日起交纳党费",
        "第5行「月份」：与第4行重复（同一党员同一月份）",
        "第6行「姓名」：与身份证号对应的党员姓名（正常）不一致",
        "第7行「姓名」：找不到该党员",
    ]
    assert DuesPayment.objects.count() == 0


def test_votes_page_is_in_the_members_menu_for_secretaries_and_staff(users, client_for):
    url = reverse("members:vote_list")
    for user in (users.secretary_a, users.street_staff):
        page = client_for(user).get(reverse("core:home")).content.decode()
        assert f'href="{url}"' in page and "支部大会表决" in page
