"""Every write to the roster. Keyword-only, atomic, scope-checked, audited.

Recruitment steps live in recruitment.py, transfers in transfers.py; both call ``member_*`` here.
``member_rules`` is pure so the bulk import applies exactly the same cross-field rules per row.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.periods import add_years
from apps.core.pii import can_see_full_pii
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.choices import OrgKind
from apps.organizations.models import Organization

from .choices import Category, Gender, MemberStatus, MobileState
from .models import Member
from .validators import IdInfo, normalize_id_number, validate_id_number, validate_phone

if TYPE_CHECKING:
    from apps.accounts.models import User

EDITABLE_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "native_place",
    "education",
    "phone",
    "work_unit",
    "position",
    "occupation_category",
    "category",
    "joined_on",
    "confirmed_on",
    "party_group",
    "party_post",
    "mobile_state",
    "mobile_place",
    "mobile_since",
    "mobile_contact",
    "lost_contact",
    "lost_contact_since",
    "lost_contact_reason",
    "points",
    "discipline",
    "discipline_until",
]
#: What a branch secretary may change on their own branch's members (members.change_member_contact).
CONTACT_FIELDS = ["phone", "work_unit", "position", "party_group"]
MIN_MEMBER_AGE = 18


def member_rules(
    values: dict[str, Any], *, today: datetime.date | None = None, id_info: IdInfo | None = None
) -> dict[str, str]:
    """Cross-field rules of one member row; returns {field: Chinese message}. Pure, no queries.

    ``values`` may hold: id_number, birth_date, gender, phone, category, joined_on, confirmed_on,
    organization, party_group, mobile_state, mobile_place, lost_contact, lost_contact_since,
    lost_contact_reason. Missing keys are not checked. Fills ``birth_date``/``gender`` from the ID number
    when they are empty. ``id_info``: the caller already validated the (normalized) ID number.
    """
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if "id_number" in values:
        try:
            info = id_info or validate_id_number(values["id_number"], today=today)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
        else:
            if id_info is None:
                values["id_number"] = normalize_id_number(values["id_number"])
            birth, gender = values.get("birth_date"), values.get("gender")
            if not birth:
                values["birth_date"] = info.birth_date
            elif birth != info.birth_date:
                errors["birth_date"] = _("出生日期（%(b)s）与身份证号中的出生日期（%(i)s）不一致。") % {
                    "b": birth.isoformat(),
                    "i": info.birth_date.isoformat(),
                }
            if not gender or gender in (Gender.UNKNOWN, Gender.UNSPECIFIED):
                values["gender"] = info.gender
            elif gender != info.gender:
                errors["gender"] = _("性别与身份证号不一致（身份证号第17位表示%(g)s）。") % {
                    "g": Gender(info.gender).label
                }
    if values.get("phone"):
        try:
            values["phone"] = validate_phone(values["phone"])
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    _membership_rules(values, errors, today=today)
    org, group = values.get("organization"), values.get("party_group")
    if org is not None:
        if not org.is_branch_like and org.kind != OrgKind.GENERAL_BRANCH:
            errors["organization"] = _("党员应编入党支部（或党总支），「%(name)s」是%(kind)s。") % {
                "name": org.name,
                "kind": org.get_kind_display(),
            }
        elif not org.is_active:
            errors["organization"] = _("党组织「%(name)s」已撤销。") % {"name": org.name}
        if group is not None and (
            group.kind != OrgKind.PARTY_GROUP or not group.is_descendant_of(org, include_self=True)
        ):
            errors["party_group"] = _("所在党小组须是「%(name)s」下设的党小组。") % {"name": org.name}
    if values.get("mobile_state") and values["mobile_state"] != MobileState.NONE and not values.get("mobile_place"):
        errors["mobile_place"] = _("流动党员须填写流出地或流入地。")
    if values.get("lost_contact"):
        if not values.get("lost_contact_since"):
            errors["lost_contact_since"] = _("失联党员须填写失联日期。")
        if not values.get("lost_contact_reason"):
            errors["lost_contact_reason"] = _("失联党员须填写失联原因。")
    return errors


def _membership_rules(values: dict[str, Any], errors: dict[str, str], *, today: datetime.date) -> None:
    """Age, 入党日期, 转正日期 and probation (domain.md §3; 《中国共产党章程》第一条、第七条).

    A date key absent from ``values`` is not checked (an import file without that column); present but
    empty is refused for the categories that need it.
    """
    joined, confirmed, birth = values.get("joined_on"), values.get("confirmed_on"), values.get("birth_date")
    category = values.get("category")
    if joined and joined > today:
        errors["joined_on"] = _("入党日期不能晚于今天。")
    elif joined and birth and add_years(birth, MIN_MEMBER_AGE) > joined:
        errors["joined_on"] = _(
            "入党时须年满十八周岁（《中国共产党章程》第一条）：出生日期%(b)s，入党日期%(j)s，请核对。"
        ) % {"b": birth.isoformat(), "j": joined.isoformat()}
    elif "joined_on" in values and not joined and category in (Category.FULL, Category.PROBATIONARY):
        errors["joined_on"] = _("%(c)s须填写入党日期（支部大会通过接收为预备党员之日）。") % {
            "c": Category(category).label
        }
    if birth and add_years(birth, MIN_MEMBER_AGE) > today and "joined_on" not in errors:
        errors["birth_date" if "birth_date" in values else "id_number"] = _(
            "未满十八周岁（出生日期%(b)s），不能登记为党员（《中国共产党章程》第一条）。"
        ) % {"b": birth.isoformat()}
    if category == Category.PROBATIONARY:
        if confirmed:
            errors["confirmed_on"] = _("预备党员尚未转正，不应填写转正日期。")
        elif joined and "joined_on" not in errors and joined < add_years(today, -2):
            errors["joined_on"] = _(
                "预备期为一年，最多延长一年（《中国共产党章程》第七条）：入党日期%(j)s已超过两年，"
                "应已转正或取消预备党员资格，请核对人员类别和入党日期。"
            ) % {"j": joined.isoformat()}
    elif category == Category.FULL or confirmed:
        if confirmed and confirmed > today:
            errors["confirmed_on"] = _("转正日期不能晚于今天。")
        elif confirmed and joined and confirmed < add_years(joined, 1):
            errors["confirmed_on"] = _(
                "转正日期须在入党日期满一年（预备期）之后（《中国共产党章程》第七条）：入党日期%(j)s，"
                "最早可于%(e)s转正。"
            ) % {"j": joined.isoformat(), "e": add_years(joined, 1).isoformat()}
        elif "confirmed_on" in values and not confirmed and category == Category.FULL:
            errors["confirmed_on"] = _(
                "正式党员须填写转正日期（预备期满一年后支部大会通过转正之日，《中国共产党章程》第七条）。"
            )


ID_UNAVAILABLE = _("无法使用该号码，请联系上级党员信息管理员。")


class IdNumberUnavailable(ValidationError):
    """The ID number is on the roll outside the user's scope: say nothing about where (no city-wide oracle)."""

    def __init__(self, id_hash: str) -> None:
        super().__init__({"id_number": ID_UNAVAILABLE})
        self.id_hash = id_hash


def _check_unique(id_hash: str, *, exclude_pk: int | None = None, user: Any = None) -> None:
    qs = Member.objects.filter(id_hash=id_hash, status=MemberStatus.ACTIVE)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if id_hash and qs.exists():
        if user is not None and not qs.visible_to(user).exists():
            raise IdNumberUnavailable(id_hash)
        raise ValidationError({"id_number": _("该身份证号已存在于在册党员中，不能重复登记。")})


def audit_unavailable_id(*, acting_user: Any, organization: Organization, id_hash: str) -> None:
    """Record an attempt to register an ID number held outside the user's scope (after the rollback)."""
    audit_record(
        actor=acting_user,
        event="member.id_number_unavailable",
        obj=organization,
        action="other",
        note=_("新增党员时使用了管理范围外已登记的身份证号（号码不记录）"),
    )


def _derive(member: Member) -> None:
    member.org_path = member.organization.path
    if member.category == Category.PROBATIONARY and member.joined_on:
        if not member.probation_ends_on or member.probation_ends_on < add_years(member.joined_on, 1):
            member.probation_ends_on = add_years(member.joined_on, 1)
    elif member.category == Category.FULL:
        member.probation_ends_on = None


def _save(member: Member) -> None:
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        if "member_active_id_unique" in str(exc) or "id_hash" in str(exc):
            raise ValidationError({"id_number": _("该身份证号已存在于在册党员中，不能重复登记。")}) from exc
        raise


def member_create(*, acting_user: User, organization: Organization, id_number: str, **fields: Any) -> Member:
    try:
        return _member_create(acting_user=acting_user, organization=organization, id_number=id_number, **fields)
    except IdNumberUnavailable as exc:
        audit_unavailable_id(acting_user=acting_user, organization=organization, id_hash=exc.id_hash)
        raise


@transaction.atomic
def _member_create(*, acting_user: User, organization: Organization, id_number: str, **fields: Any) -> Member:
    ensure_perm(acting_user, "members.add_member")
    ensure_org_in_scope(acting_user, organization)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("该字段不能在此填写。")})
    values = {**fields, "id_number": id_number, "organization": organization}
    values.setdefault("category", Category.FULL)
    # A new member always has the dates checked: absent means empty (required for both categories).
    values.setdefault("joined_on", None)
    values.setdefault("confirmed_on", None)
    errors = member_rules(values)
    if fields.get("party_group") is not None:
        ensure_org_in_scope(acting_user, fields["party_group"])
    if errors:
        raise ValidationError(errors)
    member = Member(organization=organization, **{k: v for k, v in values.items() if k in EDITABLE_FIELDS})
    member.id_number = values["id_number"]
    _check_unique(member.id_hash, user=acting_user)
    _derive(member)
    member.full_clean(exclude=["org_path", "id_hash"], validate_constraints=False)
    _save(member)
    audit_record(actor=acting_user, event="member.create", obj=member, after=snapshot(member))
    return member


def _allowed_fields(user: Any) -> list[str] | None:
    if user.has_perm("members.change_member"):
        return [*EDITABLE_FIELDS, "id_number", "organization"]
    if user.has_perm("members.change_member_contact"):
        return CONTACT_FIELDS
    return None


@transaction.atomic
def member_update(*, acting_user: User, member: Member, **fields: Any) -> Member:
    """Edit a member. Branch secretaries (change_member_contact) may change only phone, unit, position, group."""
    allowed = _allowed_fields(acting_user)
    if allowed is None:
        raise PermissionDenied(_("您的角色没有修改党员信息的权限。"))
    ensure_org_in_scope(acting_user, member.organization)
    obj = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    for key in fields:
        if key not in allowed:
            raise ValidationError({key: _("您只能修改联系电话、工作单位、职务和所在党小组。")})
    before = snapshot(obj)
    new_org = fields.get("organization") or obj.organization
    if new_org.pk != obj.organization_id:
        ensure_org_in_scope(acting_user, new_org)
    if fields.get("party_group") is not None:
        ensure_org_in_scope(acting_user, fields["party_group"])
    values = {name: getattr(obj, name) for name in EDITABLE_FIELDS}
    values.update(fields)
    values["organization"] = new_org
    id_changed = "id_number" in fields and normalize_id_number(fields["id_number"]) != obj.id_number
    if id_changed:
        values["id_number"] = fields["id_number"]
    errors = member_rules(values)
    if allowed is CONTACT_FIELDS:
        # A contact-only editor cannot fix the other fields: only what they changed is checked.
        errors = {key: message for key, message in errors.items() if key in fields}
    if errors:
        raise ValidationError(errors)
    for name in EDITABLE_FIELDS:
        setattr(obj, name, values[name])
    obj.organization = new_org
    if id_changed:
        obj.id_number = values["id_number"]
    if obj.status == MemberStatus.ACTIVE:
        _check_unique(obj.id_hash, exclude_pk=obj.pk)
    _derive(obj)
    obj.full_clean(exclude=["org_path", "id_hash"], validate_constraints=False)
    _save(obj)
    audit_record(actor=acting_user, event="member.update", obj=obj, before=before, after=snapshot(obj))
    return obj


@transaction.atomic
def member_change_status(
    *, acting_user: User, member: Member, status: str, on: datetime.date, note: str = ""
) -> Member:
    """停止党籍, 出党 (除名/开除/退党/自行脱党), 死亡, or back to 正常 (恢复党籍)."""
    ensure_perm(acting_user, "members.change_member")
    ensure_org_in_scope(acting_user, member.organization)
    obj = Member.objects.select_for_update().get(pk=member.pk)
    if status not in MemberStatus.values or status == MemberStatus.TRANSFERRED_OUT:
        raise ValidationError({"status": _("请选择有效的党籍状态（转出请通过组织关系转接办理）。")})
    if status == obj.status:
        raise ValidationError({"status": _("党籍状态没有变化。")})
    if status == MemberStatus.ACTIVE:
        _check_unique(obj.id_hash, exclude_pk=obj.pk)
    if on > timezone.localdate():
        raise ValidationError({"on": _("变更日期不能晚于今天。")})
    before = snapshot(obj, ["status", "status_changed_on"])
    obj.status, obj.status_changed_on = status, on
    _save(obj)
    audit_record(
        actor=acting_user,
        event="member.status",
        obj=obj,
        before=before,
        after=snapshot(obj, ["status", "status_changed_on"]),
        note=note,
    )
    return obj


def member_reveal_id_number(*, acting_user: User, member: Member) -> str:
    """The full ID number, for roster admins and system admins only; every reveal is audited."""
    ensure_org_in_scope(acting_user, member.organization)
    if not can_see_full_pii(acting_user):
        raise PermissionDenied(_("只有党员信息管理员和系统管理员可以查看完整身份证号。"))
    audit_record(actor=acting_user, event="member.view_pii", obj=member, note="身份证号")
    return member.id_number


@transaction.atomic
def member_delete(*, acting_user: User, member: Member) -> None:
    """Hard delete, for rows entered by mistake; members who left the party keep their row with a status."""
    ensure_perm(acting_user, "members.delete_member")
    ensure_org_in_scope(acting_user, member.organization)
    if member.transfers.exists():
        raise ValidationError({"__all__": _("该党员有组织关系转接记录，不能删除，请改为变更党籍状态。")})
    audit_record(actor=acting_user, event="member.delete", obj=member, before=snapshot(member))
    member.delete()


def member_ids_reencrypt(*, batch_size: int = 2000) -> int:
    """Key rotation: re-encrypt every ID number not under the current first key (members and applicants).

    Run after putting a new key first in PII_ENCRYPTION_KEYS; old keys can be removed once this returns 0
    on a second run. The HMAC (id_hash) does not change, so search and uniqueness are unaffected.
    """
    from .crypto import current_key_id, decrypt, encrypt
    from .models import Recruitment

    key = current_key_id()
    done = 0
    for model in (Member, Recruitment):
        while True:
            with transaction.atomic():
                rows = list(
                    model._base_manager.select_for_update()
                    .exclude(id_key_id=key)
                    .exclude(id_number_enc="")
                    .only("id", "id_key_id", "id_number_enc")[:batch_size]
                )
                if not rows:
                    break
                for row in rows:
                    row.id_key_id, row.id_number_enc = encrypt(decrypt(row.id_key_id, row.id_number_enc))
                model._base_manager.bulk_update(rows, ["id_key_id", "id_number_enc"], batch_size=batch_size)
                done += len(rows)
    return done
