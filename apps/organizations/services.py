"""Every write to the organization tree. Keyword-only, atomic, scope-checked, audited."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import OrgScopedQuerySet, ensure_org_in_scope, ensure_perm, path_in_subtree, user_scope_path

from .choices import BRANCH_KINDS, PARTY_GROUP_PARENTS, OrgKind, Sector
from .models import Organization

if TYPE_CHECKING:
    from apps.accounts.models import User

EDITABLE_FIELDS = [
    "name",
    "short_name",
    "doc_prefix",
    "code",
    "kind",
    "sector",
    "secretary_name",
    "secretary_member",
    "established_on",
    "term_started_on",
    "term_years",
    "star_rating",
    "grade",
    "is_weak",
    "consolidation_status",
    "is_demonstration",
    "demonstration_year",
    "venue_address",
    "venue_area",
    "first_secretary",
    "contact_leader",
]


#: Set by the level above (and by assessment), never by the organization itself.
RATED_BY_ABOVE = ("star_rating", "grade")


def rates_from_above(user: Any, organization: Organization) -> bool:
    """The user's organization is a strict ancestor of ``organization`` (or the user is unrestricted)."""
    prefix = user_scope_path(user)
    if prefix is None:
        return False
    return prefix == "" or (organization.path.startswith(prefix) and organization.path != prefix)


def default_term_years(*, kind: str, sector: str) -> int:
    """Villages and communities 5 years; grassroots committees 5; other branches and general branches 3."""
    if sector in (Sector.RURAL, Sector.COMMUNITY):
        return 5
    if kind in (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE):
        return 5
    return 3


def validate_placement(*, kind: str, parent: Organization | None) -> None:
    """Where a kind may sit in the tree (支部工作条例: party groups only inside a branch)."""
    if kind == OrgKind.PARTY_GROUP and (parent is None or parent.kind not in PARTY_GROUP_PARENTS):
        raise ValidationError({"parent": _("党小组只能设在党支部（或党总支）之下（《中国共产党支部工作条例》）。")})
    if parent is None:
        return
    if parent.kind == OrgKind.PARTY_GROUP:
        raise ValidationError({"parent": _("党小组之下不能再设党组织。")})
    if parent.kind in BRANCH_KINDS and kind != OrgKind.PARTY_GROUP:
        raise ValidationError(
            {"kind": _("党支部之下只能设党小组，不能设「%(kind)s」。") % {"kind": OrgKind(kind).label}}
        )
    if parent.kind == OrgKind.GENERAL_BRANCH and kind not in BRANCH_KINDS | {OrgKind.PARTY_GROUP}:
        raise ValidationError({"kind": _("党总支之下只能设党支部或党小组。")})
    if not parent.is_active:
        raise ValidationError({"parent": _("上级党组织已撤销，不能在其下设立党组织。")})


def _apply_derived(org: Organization) -> None:
    if org.term_started_on and not org.term_years:
        org.term_years = default_term_years(kind=org.kind, sector=org.sector)
    org.term_due_on = org.compute_term_due()


def _apply_secretary(org: Organization) -> None:
    """The secretary, when linked, is an active member of the organization (or a party group inside it)."""
    member = org.secretary_member
    if member is None:
        return
    if member.status != "active" or not path_in_subtree(member.org_path, org.path):
        raise ValidationError({"secretary_member": _("书记须从本组织的在册党员中选择。")})
    org.secretary_name = member.name


#: characters that belong to the rest of a document number (〔2026〕3号), never to the issuer's code word
_NUMBER_CHARS = set("〔〕[]［］()（）{}【】") | set("0123456789０１２３４５６７８９")


def doc_prefix_problem(value: str) -> str | None:
    """What is wrong with a 发文机关代字 (GB/T 9704: 机关代字 + 〔年份〕 + 序号号), or None: the code word alone,
    e.g. 「东组」 — the letter's own character (函) and the year and number are added when a number is given."""
    if not value:
        return None
    if any(ch.isspace() for ch in value):
        return _("发文机关代字：不能含空格。")
    if any(ch in _NUMBER_CHARS for ch in value) or value.endswith("号"):
        return _("发文机关代字：只填机关代字（如“东组”），年份和序号由系统生成。")
    if value.endswith("函"):
        return _("发文机关代字：不用写“函”字，函件文号会自动加上（如“东组函〔2026〕3号”）。")
    return None


def _full_clean(org: Organization, *, placement_error: ValidationError | None = None) -> None:
    """All field problems at once, so a form shows every error on the first save."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if placement_error is not None:
        for field, messages in placement_error.message_dict.items():
            for message in messages:
                add(field, message)
    if org.demonstration_year and not org.is_demonstration:
        add("demonstration_year", _("未标记为示范点时不应填写示范点年度。"))
    if org.consolidation_status and not org.is_weak:
        add("consolidation_status", _("只有软弱涣散党组织才有整顿状态。"))
    problem = doc_prefix_problem(org.doc_prefix)
    if problem:
        add("doc_prefix", problem)
    if org.established_on and org.established_on > datetime.date.today():
        add("established_on", _("成立日期不能晚于今天。"))
    if org.term_started_on and org.established_on and org.term_started_on < org.established_on:
        add("term_started_on", _("本届任期开始日期不能早于成立日期。"))
    try:
        org.full_clean(exclude=["path", "depth", "parent"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                add(field, message)
    if errors:
        raise ValidationError(errors)


def _placement_error(*, kind: str, parent: Organization | None) -> ValidationError | None:
    try:
        validate_placement(kind=kind, parent=parent)
    except ValidationError as exc:
        return exc
    return None


@transaction.atomic
def organization_create(*, acting_user: User, parent: Organization | None, **fields: Any) -> Organization:
    if parent is None:
        if not getattr(acting_user, "is_superuser", False):
            raise ValidationError({"parent": _("请选择上级党组织。")})
    else:
        ensure_org_in_scope(acting_user, parent)
    ensure_perm(acting_user, "organizations.add_organization")
    org = Organization(parent=parent, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    if org.secretary_member_id:
        raise ValidationError({"secretary_member": _("新建党组织时尚无党员，请建成后再指定书记。")})
    _apply_derived(org)
    org.path = "/pending/"
    _full_clean(org, placement_error=_placement_error(kind=org.kind, parent=parent))
    org.save()
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.depth = parent.depth + 1 if parent else 0
    Organization.objects.filter(pk=org.pk).update(path=org.path, depth=org.depth)
    if parent:
        Organization.objects.filter(pk__in=org.ancestor_ids).update(descendant_count=F("descendant_count") + 1)
    audit_record(actor=acting_user, event="organization.create", obj=org, after=snapshot(org))
    return org


@transaction.atomic
def organization_update(*, acting_user: User, organization: Organization, **fields: Any) -> Organization:
    ensure_org_in_scope(acting_user, organization)
    ensure_perm(acting_user, "organizations.change_organization")
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    before = snapshot(org)
    before_values = {f: getattr(org, f) for f in RATED_BY_ABOVE}
    for key, value in fields.items():
        if key not in EDITABLE_FIELDS:
            raise ValidationError({key: _("该字段不能在此修改。")})
        setattr(org, key, value)
    rated = [f for f in RATED_BY_ABOVE if f in fields and getattr(org, f) != before_values[f]]
    if rated and not rates_from_above(acting_user, org):
        raise ValidationError({f: _("星级和分类定级由上级党组织评定，本组织不能为自己评定。") for f in rated})
    if "kind" in fields:
        validate_placement(kind=org.kind, parent=org.parent)
        # The children must still be legal under the new kind: the same rules as creating or moving them.
        for child_kind in org.children.values_list("kind", flat=True).distinct().order_by():
            if _placement_error(kind=child_kind, parent=org) is not None:
                raise ValidationError(
                    {
                        "kind": _("现有下级组织（%(child)s）不符合「%(kind)s」的设置要求，不能修改组织类别。")
                        % {"child": OrgKind(child_kind).label, "kind": OrgKind(org.kind).label}
                    }
                )
    _apply_derived(org)
    _apply_secretary(org)
    _full_clean(org)
    org.save()
    audit_record(actor=acting_user, event="organization.update", obj=org, before=before, after=snapshot(org))
    return org


def _path_scoped_models() -> list[type[models.Model]]:
    """Models that copy the organization path onto their own rows (scope_path == "org_path")."""
    found = []
    for model in apps.get_models():
        qs_class = type(model._default_manager.get_queryset())
        if issubclass(qs_class, OrgScopedQuerySet) and qs_class.scope_path == "org_path":
            found.append(model)
    return found


@transaction.atomic
def organization_move(*, acting_user: User, organization: Organization, new_parent: Organization) -> Organization:
    """Move a subtree under a new parent: paths rewritten in one UPDATE per table, counts adjusted."""
    ensure_org_in_scope(acting_user, organization)
    ensure_org_in_scope(acting_user, new_parent)
    ensure_perm(acting_user, "organizations.change_organization")
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    new_parent = Organization.objects.get(pk=new_parent.pk)
    if new_parent.is_descendant_of(org, include_self=True):
        raise ValidationError({"parent": _("不能把党组织移动到它自己或它的下级组织之下。")})
    if org.parent_id == new_parent.pk:
        raise ValidationError({"parent": _("新的上级党组织与当前相同。")})
    validate_placement(kind=org.kind, parent=new_parent)
    before = snapshot(org, ["parent"])
    old_path, new_path = org.path, f"{new_parent.path}{org.pk}/"
    moved = org.descendant_count + 1
    Organization.objects.filter(pk__in=org.ancestor_ids).update(descendant_count=F("descendant_count") - moved)
    depth_delta = new_parent.depth + 1 - org.depth
    Organization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)), depth=F("depth") + depth_delta
    )
    for model in _path_scoped_models():
        # A model may copy a second organization's path too (EXTRA_PATH_FIELDS, e.g. the registering one).
        for field in ("org_path", *getattr(model, "EXTRA_PATH_FIELDS", ())):
            model._base_manager.filter(**{f"{field}__startswith": old_path}).update(
                **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1))}
            )
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    Organization.objects.filter(pk__in=org.ancestor_ids).update(descendant_count=F("descendant_count") + moved)
    audit_record(actor=acting_user, event="organization.move", obj=org, before=before, after=snapshot(org, ["parent"]))
    return org


def _blocking_dependents(org: Organization, *, for_delete: bool) -> list[str]:
    """Reasons an organization cannot go: children, and rows of other apps that still point at it.

    A related model can declare ``ORG_DISSOLVE_BLOCKING = Q(...)`` (e.g. members still active) to block
    dissolving; any related row at all blocks a hard delete.
    """
    reasons = []
    children = org.children.all() if for_delete else org.children.filter(is_active=True)
    if n := children.count():
        reasons.append(_("下级党组织 %(n)d 个") % {"n": n})
    for rel in Organization._meta.related_objects:
        model = rel.related_model
        if model is Organization or not isinstance(rel, models.ManyToOneRel):
            continue
        qs = model._base_manager.filter(**{rel.field.name: org})
        blocking = getattr(model, "ORG_DISSOLVE_BLOCKING", None)
        if not for_delete:
            if blocking is None:
                continue
            qs = qs.filter(blocking)
        if n := qs.count():
            reasons.append(_("%(what)s %(n)d") % {"n": n, "what": model._meta.verbose_name_plural})
    return reasons


@transaction.atomic
def organization_dissolve(
    *, acting_user: User, organization: Organization, dissolved_on: datetime.date, note: str = ""
) -> Organization:
    ensure_org_in_scope(acting_user, organization)
    ensure_perm(acting_user, "organizations.change_organization")
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if not org.is_active:
        raise ValidationError({"dissolved_on": _("该党组织已撤销。")})
    if reasons := _blocking_dependents(org, for_delete=False):
        raise ValidationError(
            {
                "dissolved_on": _("不能撤销「%(name)s」：仍有%(reasons)s。请先转出党员、撤销或移走下级组织。")
                % {"name": org.name, "reasons": "；".join(reasons)}
            }
        )
    if acting_user and getattr(acting_user, "organization_id", None) == org.pk:
        raise ValidationError({"dissolved_on": _("不能撤销您本人所在的党组织。")})
    before = snapshot(org, ["is_active", "dissolved_on"])
    org.is_active = False
    org.dissolved_on = dissolved_on
    org.save(update_fields=["is_active", "dissolved_on", "updated_at"])
    audit_record(
        actor=acting_user,
        event="organization.dissolve",
        obj=org,
        before=before,
        after=snapshot(org, ["is_active", "dissolved_on"]),
        note=note,
    )
    return org


@transaction.atomic
def organization_delete(*, acting_user: User, organization: Organization) -> None:
    """Hard delete, for organizations created by mistake: refused while anything refers to it."""
    ensure_org_in_scope(acting_user, organization)
    ensure_perm(acting_user, "organizations.delete_organization")
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if getattr(acting_user, "organization_id", None) == org.pk:
        raise ValidationError({"__all__": _("不能删除您本人所在的党组织。")})
    if reasons := _blocking_dependents(org, for_delete=True):
        raise ValidationError(
            {
                "__all__": _("不能删除「%(name)s」：仍有关联数据（%(reasons)s）。")
                % {"name": org.name, "reasons": "；".join(reasons)}
            }
        )
    audit_record(actor=acting_user, event="organization.delete", obj=org, before=snapshot(org))
    Organization.objects.filter(pk__in=org.ancestor_ids).update(descendant_count=F("descendant_count") - 1)
    org.delete()
