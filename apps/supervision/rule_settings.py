"""An issuing organization's own letter rules and templates (本单位设置), edited by its staff on pages.

Both are data the monthly letter run reads (``letters.effective_rules`` / ``letters.letter_template``); each
change is validated here and audited.
"""

from __future__ import annotations

import datetime
import string
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.periods import Period
from apps.core.scoping import ensure_org_in_scope, ensure_perm, ensure_root_admin
from apps.organizations.services import organization_update

from .choices import LETTER_DEFAULT_TEMPLATES, LetterKind
from .letters import render_template, scheduled_date
from .models import Letter, LetterRule, LetterTemplate

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.organizations.models import Organization

PLACEHOLDERS = {
    "addressee": "春华社区第一网格党支部",
    "issuer": "中共江州市东城区委组织部",
    "period_label": "2026年11月",
    "issue_date": "2026年11月15日",
    "deadline": "2026年11月22日",
    "number": "〔2026〕12号",
}
#: what people type and read (本单位设置 shows {收函单位}); the stored wording keeps the English keys
PLACEHOLDER_NAMES = {
    "addressee": "收函单位",
    "issuer": "发函单位",
    "period_label": "月份",
    "issue_date": "发函日期",
    "deadline": "答复期限",
    "number": "文号",
}


def placeholders_canonical(text: str) -> str:
    """{收函单位} → {addressee} (the wording as stored and rendered); English keys pass unchanged."""
    for key, name in PLACEHOLDER_NAMES.items():
        text = text.replace("{" + name + "}", "{" + key + "}")
    return text


def placeholders_display(text: str) -> str:
    """{addressee} → {收函单位}: the wording as the settings page shows it."""
    for key, name in PLACEHOLDER_NAMES.items():
        text = text.replace("{" + key + "}", "{" + name + "}")
    return text


RULE_FIELDS = [
    "is_active",
    "reminder_enabled",
    "reminder_day",
    "supervision_enabled",
    "supervision_day",
    "warning_enabled",
    "warning_day",
    "response_days",
    "warning_requires_supervision",
    "warning_threshold",
    "warning_window_months",
]


def number_sample(doc_prefix: str, year: int) -> str:
    """How the issuer's letter numbers read: 东组函〔2026〕1号 (no code word: 〔2026〕1号)."""
    prefix = f"{doc_prefix}{Letter.DOC_KIND}" if doc_prefix else ""
    return f"{prefix}〔{year}〕1号"


def schedule_of(rule: LetterRule, period: Period) -> list[dict[str, Any]]:
    """The rule's issue dates and answer deadlines in one month, for each letter kind it sends."""
    out = []
    for kind in (LetterKind.REMINDER, LetterKind.SUPERVISION, LetterKind.WARNING):
        if not rule.enabled(kind):
            continue
        issued_on = scheduled_date(rule, kind, period)
        out.append({"kind": str(kind), "kind_label": str(kind.label), "issue_date": issued_on,
                    "deadline": issued_on + datetime.timedelta(days=rule.response_days)})  # fmt: skip
    return out


def letter_rule_for(issuer: Organization) -> LetterRule:
    """The issuer's rule, or an unsaved one with the defaults."""
    return LetterRule.objects.filter(issuer=issuer).first() or LetterRule(issuer=issuer)


def validate_rule(rule: LetterRule) -> None:
    """The rule's days and counts make sense together (raises ValidationError keyed by field, in Chinese)."""
    errors: dict[str, str] = {}
    for name in ("reminder_day", "supervision_day"):
        if not 1 <= getattr(rule, name) <= 28:
            errors[name] = _("请填写1至28之间的日期。")
    if not 0 <= rule.warning_day <= 28:
        errors["warning_day"] = _("请填写0至28之间的日期（0表示月末）。")
    if not errors and rule.supervision_day <= rule.reminder_day:
        errors["supervision_day"] = _("督办函日期应晚于提示函日期。")
    if not errors and rule.warning_day and rule.warning_day <= rule.supervision_day:
        errors["warning_day"] = _("预警函日期应晚于督办函日期（或填0表示月末）。")
    if not 1 <= rule.response_days <= 60:
        errors["response_days"] = _("答复期限应为1至60天。")
    if not 1 <= rule.warning_threshold <= 12:
        errors["warning_threshold"] = _("预警次数应为1至12次。")
    if not 1 <= rule.warning_window_months <= 12:
        errors["warning_window_months"] = _("统计月数应为1至12个月。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def letter_rule_update(*, acting_user: User, issuer: Organization, data: dict[str, Any]) -> LetterRule:
    ensure_org_in_scope(acting_user, issuer)
    ensure_perm(acting_user, "supervision.change_letterrule")
    data = dict(data)
    doc_prefix = data.pop("doc_prefix", None)
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({next(iter(unknown)): _("该项不能在此修改。")})
    if doc_prefix is not None and doc_prefix.strip() != issuer.doc_prefix:
        # the issuing office's code word of the numbers lives on the organization: its own service, checks, audit
        issuer = organization_update(acting_user=acting_user, organization=issuer, doc_prefix=doc_prefix.strip())
    rule = LetterRule.objects.select_for_update().filter(issuer=issuer).first() or LetterRule(issuer=issuer)
    rule.issuer = issuer
    if not data:
        return rule  # only the code word changed (an issuer without a rule keeps the defaults, no row of its own)
    before = snapshot(rule, RULE_FIELDS) if rule.pk else None
    for key, value in data.items():
        setattr(rule, key, value)
    validate_rule(rule)
    rule.save()
    audit_record(
        actor=acting_user,
        event="letterrule.update" if before else "letterrule.create",
        obj=rule,
        before=before,
        after=snapshot(rule, RULE_FIELDS),
        org_path=issuer.path,
    )
    return rule


@transaction.atomic
def letter_rule_delete(*, acting_user: User, issuer: Organization) -> None:
    """Drop the issuer's own rule: the defaults apply again."""
    ensure_org_in_scope(acting_user, issuer)
    ensure_perm(acting_user, "supervision.delete_letterrule")
    rule = LetterRule.objects.select_for_update().filter(issuer=issuer).first()
    if rule is None:
        return
    audit_record(actor=acting_user, event="letterrule.delete", obj=rule, before=snapshot(rule, RULE_FIELDS),
                 org_path=issuer.path)  # fmt: skip
    rule.delete()


def _ensure_may_edit_templates(acting_user: User, issuer: Organization | None, perm: str) -> None:
    """An issuer's own wording: its staff; the deployment default (no issuer): root administrators only."""
    if issuer is None:
        ensure_root_admin(acting_user)
    else:
        ensure_org_in_scope(acting_user, issuer)
    ensure_perm(acting_user, perm)


def validate_template(*, kind: str, title: str, body: str) -> tuple[str, str]:
    """Kind known, title and body present, within length, only known placeholders; returns them stripped."""
    if kind not in LetterKind.values:
        raise ValidationError({"kind": _("函件类别不正确。")})
    title, body = placeholders_canonical(title.strip()), placeholders_canonical(body.strip())
    if not title:
        raise ValidationError({"title": _("请填写标题模板。")})
    if len(title) > 200:
        raise ValidationError({"title": _("标题模板不能超过200字。")})
    if not body:
        raise ValidationError({"body": _("请填写正文模板。")})
    if len(body) > 5000:
        raise ValidationError({"body": _("正文模板不能超过5000字。")})
    validate_template_text(title, "title")
    validate_template_text(body, "body")
    return title, body


def validate_template_text(text: str, field: str) -> None:
    """Only the known placeholders (Chinese names or their keys), and braces that pair up."""
    text = placeholders_canonical(text)
    try:
        names = [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise ValidationError({field: _("大括号不成对：占位符应写成 {addressee} 这样的形式。")}) from exc
    unknown = [n for n in names if n not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(
            {field: _("不认识的占位符 {%(name)s}；可用：%(known)s") % {"name": unknown[0], "known": placeholder_help()}}
        )


def placeholder_help() -> str:
    return "、".join(f"{{{name}}}" for name in PLACEHOLDER_NAMES.values())


def letter_template_for(issuer: Organization, kind: str) -> tuple[str, str, bool]:
    """(title, body, is_own): the issuer's override, else the deployment default, else the built-in text."""
    own = LetterTemplate.objects.filter(issuer=issuer, kind=kind).first()
    if own:
        return own.title, own.body, True
    default = LetterTemplate.objects.filter(issuer__isnull=True, kind=kind).first()
    if default:
        return default.title, default.body, False
    title, body = LETTER_DEFAULT_TEMPLATES[LetterKind(kind)]
    return title, body, False


def letter_template_preview(*, title: str, body: str, issuer: Organization) -> dict[str, str]:
    values = {**PLACEHOLDERS, "issuer": issuer.name}
    title, body = placeholders_canonical(title), placeholders_canonical(body)
    return {"title": render_template(title, values), "body": render_template(body, values)}


@transaction.atomic
def letter_template_update(
    *, acting_user: User, issuer: Organization | None, kind: str, title: str, body: str
) -> LetterTemplate:
    """Set an issuer's own wording of a letter kind (``issuer=None``: the deployment default, root only)."""
    _ensure_may_edit_templates(acting_user, issuer, "supervision.change_lettertemplate")
    title, body = validate_template(kind=kind, title=title, body=body)
    tpl = LetterTemplate.objects.select_for_update().filter(issuer=issuer, kind=kind).first()
    before = snapshot(tpl, ["title", "body"]) if tpl else None
    if tpl is None:
        tpl = LetterTemplate(issuer=issuer, kind=kind)
    tpl.title, tpl.body = title[:200], body
    tpl.save()
    audit_record(
        actor=acting_user,
        event="lettertemplate.update" if before else "lettertemplate.create",
        obj=tpl,
        before=before,
        after=snapshot(tpl, ["title", "body"]),
        org_path=issuer.path if issuer else "/",
    )
    return tpl


@transaction.atomic
def letter_template_reset(*, acting_user: User, issuer: Organization | None, kind: str) -> None:
    """Drop the issuer's own wording: the default applies again (the default dropped: the built-in text)."""
    _ensure_may_edit_templates(acting_user, issuer, "supervision.change_lettertemplate")
    tpl = LetterTemplate.objects.filter(issuer=issuer, kind=kind).first()
    if tpl is None:
        return
    audit_record(
        actor=acting_user,
        event="lettertemplate.delete",
        obj=tpl,
        before=snapshot(tpl, ["title", "body"]),
        org_path=issuer.path if issuer else "/",
    )
    tpl.delete()
