import datetime

import pytest
from django.core.exceptions import ValidationError

from apps.members.models import Member, RecruitmentRule
from apps.members.recruitment import (
    recruitment_advance,
    recruitment_create,
    recruitment_extend_probation,
    recruitment_update,
)
from apps.members.recruitment_reviews import activist_review_record
from tests.factories.members import make_id_number, make_member

D = datetime.date
TODAY = D(2025, 6, 1)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """The dates below are one recruitment in 2022–2025; a probationary member is refused two years on."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def _applicant(tree, users, *, birth=D(1995, 5, 1), applied=D(2022, 3, 1)):
    return recruitment_create(
        acting_user=users.district_staff,
        organization=tree.branch_a,
        name="赵敏",
        id_number=make_id_number(birth, male=False),
        applied_on=applied,
        talked_on=applied + datetime.timedelta(days=10),
    )


def _to_candidate(tree, users, rec, candidate_on=D(2023, 4, 1)):
    contact = make_member(tree.branch_a)
    rec = recruitment_update(acting_user=users.district_staff, recruitment=rec, contacts=[contact])
    rec = recruitment_advance(
        acting_user=users.district_staff, recruitment=rec, to_stage="activist", activist_on=D(2022, 3, 20)
    )
    for on in (D(2022, 9, 20), D(2023, 3, 19)):
        activist_review_record(acting_user=users.district_staff, recruitment=rec, reviewed_on=on, conclusion="表现良好")
    return recruitment_advance(
        acting_user=users.district_staff, recruitment=rec, to_stage="candidate", candidate_on=candidate_on
    )


def _admit(tree, users, rec, *, vote=D(2024, 1, 10), approved=D(2024, 2, 1), **extra):
    introducers = [make_member(tree.branch_a), make_member(tree.branch_a)]
    rec = recruitment_update(
        acting_user=users.district_staff,
        recruitment=rec,
        introducers=introducers,
        political_review_on=D(2023, 10, 1),
        training_start=D(2023, 11, 1),
        training_end=D(2023, 11, 3),
    )
    return recruitment_advance(
        acting_user=users.district_staff,
        recruitment=rec,
        to_stage="probationary",
        branch_vote_on=vote,
        approved_on=approved,
        **extra,
    )


def test_applicant_under_18_refused_with_rule_named(tree, users):
    with pytest.raises(ValidationError) as exc:
        _applicant(tree, users, birth=D(2005, 1, 1), applied=D(2022, 12, 31))
    assert "年满18周岁" in exc.value.message_dict["applied_on"][0]


def test_talk_later_than_one_month_refused(tree, users):
    with pytest.raises(ValidationError) as exc:
        recruitment_create(
            acting_user=users.district_staff,
            organization=tree.branch_a,
            name="赵敏",
            id_number=make_id_number(),
            applied_on=D(2022, 3, 1),
            talked_on=D(2022, 4, 5),
        )
    assert "一个月内" in exc.value.message_dict["talked_on"][0]


def test_candidate_before_activist_year_refused_with_article_13(tree, users):
    rec = _applicant(tree, users)
    with pytest.raises(ValidationError) as exc:
        _to_candidate(tree, users, rec, candidate_on=D(2023, 3, 19))
    assert exc.value.message_dict["candidate_on"][0] == (
        "发展对象确定时间须在确定为入党积极分子满一年之后（《发展党员工作细则》第十三条）"
    )


def test_candidate_on_the_anniversary_is_accepted(tree, users):
    rec = _to_candidate(tree, users, _applicant(tree, users), candidate_on=D(2023, 3, 20))
    assert rec.stage == "candidate"


def test_interval_rule_is_data_a_province_can_change(tree, users):
    RecruitmentRule.objects.filter(code="candidate-after-1-year").update(min_months=18)
    rec = _applicant(tree, users)
    with pytest.raises(ValidationError):
        _to_candidate(tree, users, rec, candidate_on=D(2023, 4, 1))


def test_candidate_needs_a_contact(tree, users):
    rec = _applicant(tree, users)
    rec = recruitment_advance(
        acting_user=users.district_staff, recruitment=rec, to_stage="activist", activist_on=D(2022, 3, 20)
    )
    with pytest.raises(ValidationError) as exc:
        recruitment_advance(
            acting_user=users.district_staff, recruitment=rec, to_stage="candidate", candidate_on=D(2023, 4, 1)
        )
    assert "培养联系人" in exc.value.message_dict["contacts"][0]


def test_stage_cannot_be_skipped(tree, users):
    rec = _applicant(tree, users)
    with pytest.raises(ValidationError) as exc:
        recruitment_advance(
            acting_user=users.district_staff, recruitment=rec, to_stage="candidate", candidate_on=D(2023, 4, 1)
        )
    assert "下一阶段" in exc.value.message_dict["stage"][0]


def test_admission_creates_probationary_member(tree, users):
    rec = _admit(tree, users, _to_candidate(tree, users, _applicant(tree, users)))
    m = Member.objects.get(pk=rec.member_id)
    assert (m.category, m.joined_on, m.probation_ends_on) == ("probationary", D(2024, 1, 10), D(2025, 1, 10))
    assert m.id_hash == rec.id_hash and m.organization == tree.branch_a


def test_admission_needs_two_full_member_introducers(tree, users):
    rec = _to_candidate(tree, users, _applicant(tree, users))
    probationary = make_member(tree.branch_a, category="probationary")
    rec = recruitment_update(acting_user=users.district_staff, recruitment=rec, introducers=None)
    with pytest.raises(ValidationError) as exc:
        recruitment_update(
            acting_user=users.district_staff, recruitment=rec, introducers=[make_member(tree.branch_a), probationary]
        )
    assert "正式党员" in exc.value.message_dict["introducers"][0]


def test_short_training_refused(tree, users):
    rec = _to_candidate(tree, users, _applicant(tree, users))
    with pytest.raises(ValidationError) as exc:
        recruitment_update(
            acting_user=users.district_staff,
            recruitment=rec,
            training_start=D(2023, 11, 1),
            training_end=D(2023, 11, 2),
        )
    assert "不少于3天" in exc.value.message_dict["training_end"][0]


def test_approval_after_six_months_refused(tree, users):
    rec = _to_candidate(tree, users, _applicant(tree, users))
    with pytest.raises(ValidationError) as exc:
        _admit(tree, users, rec, vote=D(2024, 1, 10), approved=D(2024, 7, 11), approval_delay_reason="上级党委换届")
    assert "六个月" in exc.value.message_dict["approved_on"][0]


def test_approval_between_three_and_six_months_needs_a_reason(tree, users):
    rec = _to_candidate(tree, users, _applicant(tree, users))
    with pytest.raises(ValidationError) as exc:
        _admit(tree, users, rec, vote=D(2024, 1, 10), approved=D(2024, 5, 1))
    assert "注明原因" in exc.value.message_dict["approved_on"][0]
    rec = _admit(tree, users, rec, vote=D(2024, 1, 10), approved=D(2024, 5, 1), approval_delay_reason="上级党委换届")
    assert rec.stage == "probationary"


def test_confirmation_makes_full_member(tree, users):
    rec = _admit(tree, users, _to_candidate(tree, users, _applicant(tree, users)))
    rec = recruitment_advance(
        acting_user=users.district_staff,
        recruitment=rec,
        to_stage="full",
        confirmation_vote_on=D(2025, 1, 15),
        confirmed_on=D(2025, 1, 15),
    )
    m = Member.objects.get(pk=rec.member_id)
    assert (m.category, m.confirmed_on, m.probation_ends_on) == ("full", D(2025, 1, 15), None)


def test_confirmation_before_probation_end_refused(tree, users):
    rec = _admit(tree, users, _to_candidate(tree, users, _applicant(tree, users)))
    with pytest.raises(ValidationError) as exc:
        recruitment_advance(
            acting_user=users.district_staff,
            recruitment=rec,
            to_stage="full",
            confirmation_vote_on=D(2025, 1, 5),
            confirmed_on=D(2025, 1, 5),
        )
    assert "预备期满" in str(exc.value)


def test_probation_extension_once_between_6_and_12_months(tree, users):
    rec = _admit(tree, users, _to_candidate(tree, users, _applicant(tree, users)))
    with pytest.raises(ValidationError):
        recruitment_extend_probation(acting_user=users.district_staff, recruitment=rec, months=3)
    rec = recruitment_extend_probation(acting_user=users.district_staff, recruitment=rec, months=6)
    assert rec.probation_ends_on == D(2025, 7, 10)
    assert Member.objects.get(pk=rec.member_id).probation_ends_on == D(2025, 7, 10)
    with pytest.raises(ValidationError) as exc:
        recruitment_extend_probation(acting_user=users.district_staff, recruitment=rec, months=6)
    assert "只能延长一次" in exc.value.message_dict["probation_extended_months"][0]


def test_secretary_cannot_write_recruitment(tree, users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        recruitment_create(
            acting_user=users.secretary_a,
            organization=tree.branch_a,
            name="x",
            id_number=make_id_number(),
            applied_on=D(2022, 3, 1),
        )
