"""The monthly three-letter run: set-based, batched and idempotent.

One run = one kind for one month, for every issuing organization (or one). Due items come from the sources
registered in ``apps.core.due_items``; each addressee gets at most one letter per issuer, kind and month.
Per batch (one transaction): lock the issuer's number counter, drop addressees that already have their
letter, insert the rest with ``ON CONFLICT DO NOTHING RETURNING`` (the unique constraint is the last line of
defence), then their items, notices and deliveries. A crash loses at most the uncommitted batch, which the
rerun creates; a rerun of a finished month inserts nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from apps.core.audit import audit_record
from apps.core.bulk import insert_ignore_returning
from apps.core.due_items import DueItem, collect_due_items
from apps.core.periods import Period
from apps.notifications.models import NoticeCategory
from apps.notifications.services import NoticeSpec, notices_create, recipients_for_orgs
from apps.organizations.models import Organization

from .choices import LETTER_DEFAULT_TEMPLATES, AccountabilityKind, AccountabilityStatus, LetterKind, LetterStatus
from .models import Accountability, Letter, LetterCounter, LetterItem, LetterRule, LetterRun, LetterTemplate

BATCH_SIZE = 10000
LETTER_FIELDS = [
    "kind", "issuer", "addressee", "org_path", "period", "year", "number", "title", "body", "issued_on",
    "response_deadline", "status", "is_manual", "item_count", "created_at",
]  # fmt: skip


@dataclass
class IssueResult:
    kind: str
    period: str
    created: int = 0
    existing: int = 0
    addressees: int = 0
    issuers: int = 0
    accountabilities: int = 0
    letter_ids: list[int] = field(default_factory=list, repr=False)


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_template(text: str, values: dict[str, str]) -> str:
    try:
        return text.format_map(_SafeDict(values))
    except (ValueError, IndexError, AttributeError):  # a stray brace in an admin-edited template
        return text


def letter_template(issuer_id: int, kind: str) -> tuple[str, str]:
    tpl = (
        LetterTemplate.objects.filter(kind=kind, issuer_id=issuer_id).first()
        or LetterTemplate.objects.filter(kind=kind, issuer__isnull=True).first()
    )
    return (tpl.title, tpl.body) if tpl else LETTER_DEFAULT_TEMPLATES[LetterKind(kind)]


def scheduled_date(rule: LetterRule, kind: str, period: Period) -> datetime.date:
    day = rule.day(kind)
    if day == 0 or day > period.last_day.day:
        return period.last_day
    return period.first_day.replace(day=day)


def issue_date_for(rule: LetterRule, kind: str, period: Period, today: datetime.date) -> datetime.date:
    """The rule's day in that month; today if run early (an operator's manual run) ."""
    return min(scheduled_date(rule, kind, period), today)


def effective_rules(kind: str | None = None) -> list[LetterRule]:
    """Active rules (with ``kind`` enabled). With no rule at all, the tree roots get a default rule."""
    if not LetterRule.objects.exists():
        roots = Organization.objects.filter(parent__isnull=True, is_active=True).values_list("id", flat=True)
        insert_ignore_returning(
            LetterRule,
            [f.name for f in LetterRule._meta.concrete_fields if f.name not in ("id",)],
            [_default_rule_row(oid) for oid in roots],
        )
    rules = list(LetterRule.objects.filter(is_active=True, issuer__is_active=True).select_related("issuer"))
    return [r for r in rules if kind is None or r.enabled(kind)]


def _default_rule_row(issuer_id: int) -> tuple:
    row = []
    for f in LetterRule._meta.concrete_fields:
        if f.name == "id":
            continue
        if f.name == "issuer":
            row.append(issuer_id)
        elif f.name == "updated_at":
            row.append(timezone.now())
        else:
            row.append(f.get_default())
    return tuple(row)


def _orgs_info(org_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """id -> (path, name) of the active ones. PostgreSQL: one ``= ANY(array)`` parameter instead of a
    10,000-placeholder IN list (which costs more to build and parse than to run)."""
    ids = list(org_ids)
    out: dict[int, tuple[str, str]] = {}
    if not ids:
        return out
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            if len(ids) > 20000:  # most of a big tree: one scan beats shipping a huge id array
                wanted = set(ids)
                cur.execute("SELECT id, path, name FROM organizations_organization WHERE is_active")
                return {oid: (path, name) for oid, path, name in cur.fetchall() if oid in wanted}
            cur.execute(
                "SELECT id, path, name FROM organizations_organization WHERE id = ANY(%s::bigint[]) AND is_active",
                [ids],
            )
            return {oid: (path, name) for oid, path, name in cur.fetchall()}
    for i in range(0, len(ids), 500):
        rows = Organization.objects.filter(id__in=ids[i : i + 500], is_active=True).values_list("id", "path", "name")
        out.update((oid, (path, name)) for oid, path, name in rows)
    return out


def _org_paths(org_ids: Iterable[int]) -> dict[int, str]:
    return {oid: v[0] for oid, v in _orgs_info(org_ids).items()}


def _existing_addressees(issuer_id: int, kind: str, period: Period, among: list[int] | None = None) -> set[int]:
    qs = Letter.objects.filter(issuer_id=issuer_id, kind=kind, period=str(period))
    if among is None:
        return set(qs.values_list("addressee_id", flat=True).iterator(chunk_size=20000))
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            # Planner statistics lag behind a run that is inserting 100,000 rows; a nested loop chosen on
            # "1 row" estimates would be quadratic. A hash join is right at every size, so insist on it.
            cur.execute("SET LOCAL enable_nestloop = off")
            cur.execute(
                "SELECT a.id FROM unnest(%s::bigint[]) AS a(id) WHERE EXISTS (SELECT 1 FROM supervision_letter l"
                " WHERE l.issuer_id = %s AND l.addressee_id = a.id AND l.kind = %s AND l.period = %s)",
                [among, issuer_id, kind, str(period)],
            )
            found = {r[0] for r in cur.fetchall()}
            cur.execute("SET LOCAL enable_nestloop = on")
            return found
    out: set[int] = set()
    for i in range(0, len(among), 500):
        out.update(qs.filter(addressee_id__in=among[i : i + 500]).values_list("addressee_id", flat=True))
    return out


def assign_issuers(
    items: list[DueItem], rules: list[LetterRule]
) -> tuple[dict[int, dict[int, list[DueItem]]], dict[int, tuple[str, str]]]:
    """(issuer_id -> addressee_id -> items, addressee -> (path, name)). The issuer is the nearest ancestor
    that has a rule; inactive addressees are dropped."""
    by_org: dict[int, list[DueItem]] = defaultdict(list)
    for it in items:
        by_org[it.organization_id].append(it)
    info = _orgs_info(by_org)
    # deepest issuer first, so the first prefix match is the nearest one (a handful of issuers in practice)
    issuer_paths = sorted(((r.issuer.path, r.issuer_id) for r in rules), key=lambda p: -len(p[0]))
    out: dict[int, dict[int, list[DueItem]]] = defaultdict(dict)
    for oid, (path, _name) in info.items():
        for ipath, iid in issuer_paths:
            if path.startswith(ipath) and iid != oid:
                out[iid][oid] = by_org[oid]
                break
    return out, info


def _dedupe_sorted(items: list[DueItem]) -> list[DueItem]:
    seen, out = set(), []
    for it in sorted(items, key=lambda i: (i.due_date or datetime.date.max, i.kind, i.title)):
        key = (it.kind, it.object_ref, it.title)
        if key not in seen:
            seen.add(key)
            out.append(it)
    return out


def lock_counter(issuer_id: int, year: int) -> LetterCounter:
    insert_ignore_returning(LetterCounter, ["issuer", "year", "last_number"], [(issuer_id, year, 0)])
    return LetterCounter.objects.select_for_update().get(issuer_id=issuer_id, year=year)


def _letter_link_pattern() -> str:
    return reverse("supervision:letter_detail", args=[987654321]).replace("987654321", "{}")


def _insert_letters(
    *,
    issuer: Organization,
    kind: str,
    period: Period,
    issued_on: datetime.date,
    deadline: datetime.date,
    by_addressee: dict[int, list[DueItem]],
    paths: dict[int, str],
    names: dict[int, str],
    template: tuple[str, str],
    is_manual: bool = False,
    created_by_id: int | None = None,
) -> tuple[list[int], int]:
    """One batch, in the caller's transaction. Returns (new letter ids, addressees that already had one)."""
    counter = lock_counter(issuer.pk, issued_on.year)
    # Under the counter lock: a concurrent run for this issuer has committed or not started.
    existing = _existing_addressees(issuer.pk, kind, period, among=list(by_addressee))
    new = [a for a in by_addressee if a not in existing]
    if not new:
        return [], len(existing)
    now = timezone.now()
    title_tpl, body_tpl = template
    base = {
        "issuer": issuer.name,
        "period_label": period.label,
        "issue_date": f"{issued_on.year}年{issued_on.month}月{issued_on.day}日",
        "deadline": f"{deadline.year}年{deadline.month}月{deadline.day}日",
    }
    rows = []
    for n, addressee_id in enumerate(new, start=counter.last_number + 1):
        values = {**base, "addressee": names.get(addressee_id, ""), "number": f"〔{issued_on.year}〕{n}号"}
        rows.append(
            (kind, issuer.pk, addressee_id, paths[addressee_id], str(period), issued_on.year, n,
             render_template(title_tpl, values)[:200], render_template(body_tpl, values), issued_on, deadline,
             LetterStatus.SENT, is_manual, len(by_addressee[addressee_id]), now)
        )  # fmt: skip
    inserted = insert_ignore_returning(Letter, LETTER_FIELDS, rows, returning=("id", "addressee"))
    LetterCounter.objects.filter(pk=counter.pk).update(last_number=counter.last_number + len(new))
    if created_by_id:
        Letter.objects.filter(id__in=[i for i, _ in inserted]).update(created_by_id=created_by_id)
    item_rows = [
        (lid, seq, it.kind[:40], it.title[:300], it.due_date, it.object_ref[:80])
        for lid, aid in inserted
        for seq, it in enumerate(by_addressee[aid], start=1)
    ]
    insert_ignore_returning(LetterItem, ["letter", "seq", "kind", "title", "due_date", "object_ref"], item_rows)
    _notify_addressees(inserted, kind=kind, issuer=issuer, deadline=deadline)
    return [i for i, _ in inserted], len(existing)


def _notify_addressees(
    inserted: list[tuple[int, int]], *, kind: str, issuer: Organization, deadline: datetime.date
) -> None:
    recipients = recipients_for_orgs(aid for _, aid in inserted)
    if not recipients:
        return
    link = _letter_link_pattern()
    label = LetterKind(kind).label
    specs = [
        NoticeSpec(
            r,
            NoticeCategory.LETTER,
            f"收到{issuer.name}的{label}",
            f"请于{deadline:%Y-%m-%d}前在系统中签收并答复。",
            link.format(lid),
            f"letter:{lid}",
        )
        for lid, aid in inserted
        for r in recipients.get(aid, [])
    ]
    notices_create(specs=specs)


def letters_issue_monthly(
    *,
    kind: str,
    period: Period | str,
    issuer: Organization | None = None,
    today: datetime.date | None = None,
    batch_size: int = BATCH_SIZE,
    force: bool = False,
) -> IssueResult:
    """Issue one kind of letter for one month, for every issuer with a rule (or just ``issuer``).

    A run that finished for an issuer is not redone (its LetterRun says so) unless ``force``: then the due
    items are collected again and only addressees still without their letter get one."""
    kind = LetterKind(kind).value
    period = Period.parse(period)
    today = today or timezone.localdate()
    result = IssueResult(kind=kind, period=str(period))
    all_rules = effective_rules(kind)
    rules = [r for r in all_rules if issuer is None or r.issuer_id == issuer.pk]
    if not rules:
        return result
    if not force:
        finished = dict(
            LetterRun.objects.filter(
                issuer_id__in=[r.issuer_id for r in rules], kind=kind, period=str(period), finished_at__isnull=False
            ).values_list("issuer_id", "created")
        )
        if len(finished) == len({r.issuer_id for r in rules}):
            result.existing = Letter.objects.filter(issuer_id__in=list(finished), kind=kind, period=str(period)).count()
            return result
    root = issuer.path if issuer is not None else "/"
    items = collect_due_items(period=period, stage=kind, root_path=root)
    grouped, info = assign_issuers(items, all_rules)  # nearest issuer among all, then keep ours
    for rule in rules:
        issuer_id = rule.issuer_id
        by_addressee = grouped.get(issuer_id, {})
        run, _ = LetterRun.objects.get_or_create(issuer_id=issuer_id, kind=kind, period=str(period))
        if run.finished_at and not force:
            continue
        if kind == LetterKind.WARNING and rule.warning_requires_supervision:
            supervised = set(
                Letter.objects.filter(issuer_id=issuer_id, kind=LetterKind.SUPERVISION, period=str(period))
                .values_list("addressee_id", flat=True)
                .iterator(chunk_size=10000)
            )
            by_addressee = {a: v for a, v in by_addressee.items() if a in supervised}
        if not by_addressee:
            LetterRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
            continue
        result.issuers += 1
        result.addressees += len(by_addressee)
        issued_on = issue_date_for(rule, kind, period, today)
        deadline = issued_on + datetime.timedelta(days=rule.response_days)
        template = letter_template(issuer_id, kind)
        done = _existing_addressees(issuer_id, kind, period)
        result.existing += len(done & by_addressee.keys())
        ids = sorted(a for a in by_addressee if a not in done)
        created_here = 0
        for i in range(0, len(ids), batch_size):
            chunk = ids[i : i + batch_size]
            with transaction.atomic():
                new_ids, existing = _insert_letters(
                    issuer=rule.issuer,
                    kind=kind,
                    period=period,
                    issued_on=issued_on,
                    deadline=deadline,
                    by_addressee={a: _dedupe_sorted(by_addressee[a]) for a in chunk},
                    paths={a: info[a][0] for a in chunk},
                    names={a: info[a][1] for a in chunk},
                    template=template,
                )
            result.created += len(new_ids)
            created_here += len(new_ids)
            result.existing += existing
            result.letter_ids.extend(new_ids)
        if kind == LetterKind.WARNING:
            result.accountabilities += accountability_open_for_repeated_warnings(rule=rule, period=period)
        LetterRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(), created=F("created") + created_here, existing=len(done & by_addressee.keys())
        )
        if created_here:
            audit_record(
                actor=None,
                event="letter.issue_monthly",
                obj=rule,
                org_path=rule.issuer.path,
                note=f"{period.label}{LetterKind(kind).label}：新发{created_here}份",
            )
    return result


def accountability_open_for_repeated_warnings(*, rule: LetterRule, period: Period) -> int:
    """N warnings in M months from this issuer open an accountability case (once per addressee and month)."""
    periods = [str(period.shift(-k)) for k in range(rule.warning_window_months)]
    counts: dict[int, list[int]] = defaultdict(list)
    for lid, aid in Letter.objects.filter(
        issuer_id=rule.issuer_id, kind=LetterKind.WARNING, period__in=periods
    ).values_list("id", "addressee_id"):
        counts[aid].append(lid)
    hits = {aid: lids for aid, lids in counts.items() if len(lids) >= rule.warning_threshold}
    if not hits:
        return 0
    paths = _org_paths(hits)
    now = timezone.now()
    basis = f"{rule.warning_window_months}个月内收到预警函{{n}}份（达到{rule.warning_threshold}份即启动问责）"
    with transaction.atomic():
        created = insert_ignore_returning(
            Accountability,
            ["issuer", "organization", "org_path", "period", "kind", "status", "basis", "decision", "is_automatic",
             "created_at"],
            [
                (rule.issuer_id, aid, paths[aid], str(period), AccountabilityKind.PENDING, AccountabilityStatus.OPEN,
                 basis.format(n=len(lids)), "", True, now)
                for aid, lids in hits.items() if aid in paths
            ],
            returning=("id", "organization"),
        )  # fmt: skip
        through = Accountability.letters.through
        through.objects.bulk_create(
            [through(accountability_id=acc_id, letter_id=lid) for acc_id, aid in created for lid in hits[aid]],
            ignore_conflicts=True,
        )
        if created:
            recipients = recipients_for_orgs([rule.issuer_id])
            specs = [
                NoticeSpec(
                    r,
                    NoticeCategory.LETTER,
                    f"{period.label}新增问责线索{len(created)}条",
                    "多次收到预警函的组织已自动立案，请研究决定问责方式。",
                    reverse("supervision:accountability_list"),
                    f"accountability:{rule.issuer_id}:{period}",
                )
                for r in recipients.get(rule.issuer_id, [])
            ]
            notices_create(specs=specs)
    return len(created)
