"""MemberResource (django-import-export): Chinese headers, the import template, masked export, admin import.

Export masks ID numbers and phones for every role without ``accounts.view_full_pii``; every cell goes through
``apps.core.spreadsheets.safe_cell``. Import through this resource (the admin, small files) cleans each row
with ``roster_import.rows.clean_member_row`` and checks it against the roster with
``roster_import.write.roster_conflict``, the same functions the fast large-file path calls, and writes through
``member_create``/``member_update``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field

from apps.core.audit import audit_record
from apps.core.export_jobs import ExportSpec, build_workbook
from apps.core.pii import can_see_full_pii, mask_id_number, mask_phone
from apps.core.scoping import user_scope_path
from apps.core.spreadsheets import EXPORT_ROW_CAP, safe_cell, workbook_bytes, write_xlsx

from . import codes
from .choices import Category, Gender, LostContactReason, MemberStatus, MobileState, OccupationCategory, PartyPost
from .models import Member
from .roster_import.columns import COLUMNS, TEMPLATE_HEADERS
from .roster_import.rows import RowContext, clean_member_row
from .roster_import.write import roster_conflict
from .services import EDITABLE_FIELDS

if TYPE_CHECKING:
    from apps.accounts.models import User


def _label(choices: Any) -> Any:
    labels = {value: str(label) for value, label in choices.choices if value}
    return lambda value: labels.get(value, value or "")


_EXPORTERS: dict[str, Any] = {
    "gender": _label(Gender),
    "ethnicity": lambda v: codes.ETHNICITY.get(v, v or ""),
    "education": lambda v: codes.EDUCATION.get(v, v or ""),
    "occupation_category": _label(OccupationCategory),
    "category": _label(Category),
    "party_post": _label(PartyPost),
    "status": _label(MemberStatus),
    "mobile_state": _label(MobileState),
    "lost_contact_reason": _label(LostContactReason),
    "lost_contact": lambda v: "是" if v else "否",
}
_ATTRIBUTE = {"organization": "organization__code", "party_group": "party_group__code"}


class MemberResource(resources.ModelResource):
    """One column per ``imports.COLUMNS`` entry, headed by its Chinese name."""

    locals().update(
        {c.key: Field(attribute=_ATTRIBUTE.get(c.key, c.key), column_name=c.headers[0], readonly=True) for c in COLUMNS}
    )

    class Meta:
        model = Member
        fields = tuple(c.key for c in COLUMNS)
        export_order = tuple(c.key for c in COLUMNS)
        import_id_fields: tuple[str, ...] = ()
        skip_unchanged = True
        report_skipped = True
        use_bulk = False

    def __init__(self, *, user: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.full_pii = can_see_full_pii(user)
        self._ctx: RowContext | None = None
        self._seen: dict[str, int] = {}

    # -- export ------------------------------------------------------------------------------------------

    def get_export_headers(self, selected_fields: Any = None) -> list[str]:
        return list(TEMPLATE_HEADERS)

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        key = self.get_field_name(field)
        if key == "id_number":
            value = member_id_cell(instance, full_pii=self.full_pii)
        elif key == "phone":
            value = member_phone_cell(instance, full_pii=self.full_pii)
        elif key == "organization":
            value = instance.organization.code
        elif key == "party_group":
            value = instance.party_group.code if instance.party_group_id else ""
        else:
            value = getattr(instance, key)
            if key in _EXPORTERS:
                value = _EXPORTERS[key](value)
        if value is None:
            value = ""
        return safe_cell(value)

    def filter_export(self, queryset: QuerySet, **kwargs: Any) -> QuerySet:
        return queryset.select_related("organization", "party_group")

    # -- import (admin, small files): same cleaning and roster checks as the fast path -----------------------

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        user = kwargs.get("user") or self.user
        self.user = user
        scope = user_scope_path(user)
        if scope is None:
            raise ValidationError(_("您没有所属党组织，不能导入党员。"))
        self._scope = scope
        self._ctx = RowContext(scope_path=scope)
        self._ctx.resolver.prepare(
            dataset[COLUMNS_BY_HEADER["organization"]] if "所在党组织" in dataset.headers else []
        )
        self._seen = {}

    def _raw(self, row: Any) -> dict[str, Any]:
        return {c.key: row[c.headers[0]] for c in COLUMNS if c.headers[0] in row}

    def get_or_init_instance(self, instance_loader: Any, row: Any) -> tuple[Member, bool]:
        from .crypto import blind_index

        assert self._ctx is not None
        values, errors = clean_member_row(self._raw(row), self._ctx)
        if errors:
            raise ValidationError({key: message for key, message in reversed(errors)})
        row_hash = blind_index(values["id_number"])
        if row_hash in self._seen:
            raise ValidationError({"id_number": _("身份证号与文件中前面的一行重复，请核对后只保留一行。")})
        self._seen[row_hash] = 1
        candidates = list(Member.objects.filter(id_hash=row_hash).values(*_CONFLICT_FIELDS))
        match, message = roster_conflict(candidates, values, self._scope)
        if message:
            raise ValidationError({"id_number": message})
        if match is None:
            member, new = Member(organization=values["organization"]), True
            member.id_number = values["id_number"]
        else:
            member, new = Member.objects.select_related("organization").get(pk=match["id"]), False
        member._import_values = values  # type: ignore[attr-defined]
        return member, new

    def import_instance(self, instance: Member, row: Any, **kwargs: Any) -> None:
        for name, value in instance._import_values.items():  # type: ignore[attr-defined]
            if name in _WRITABLE:
                setattr(instance, name, value)

    def save_instance(self, instance: Member, is_create: bool, row: Any, **kwargs: Any) -> None:
        from .services import member_create, member_update

        if kwargs.get("dry_run"):
            return
        values = {k: v for k, v in instance._import_values.items() if k in _WRITABLE}  # type: ignore[attr-defined]
        if is_create:
            saved = member_create(
                acting_user=self.user,
                organization=instance._import_values["organization"],  # type: ignore[attr-defined]
                id_number=instance._import_values["id_number"],  # type: ignore[attr-defined]
                **values,
            )
            instance.pk = saved.pk
        else:
            member_update(acting_user=self.user, member=instance, **values)


def member_id_cell(member: Member, *, full_pii: bool) -> str:
    """A member's ID number as the roster export writes it: full only for ``accounts.view_full_pii``."""
    return member.id_number if full_pii else member.id_masked or mask_id_number(member.id_number)


def member_phone_cell(member: Member, *, full_pii: bool) -> str:
    """A member's phone as the roster export writes it: full only for ``accounts.view_full_pii``."""
    return (member.phone if full_pii else mask_phone(member.phone)) or ""


def member_full_pii_audit(*, acting_user: Any, full_pii: bool, what: str, filters: Any = ()) -> Callable[[], None]:
    """The audit row of an export with full ID numbers (roster, 失联党员审查, 流动党员): one per export, on the
    exporting user's organization, once the file is built. Nothing is recorded for a masked export."""

    def audit() -> None:
        if full_pii and acting_user.organization_id:
            audit_record(
                actor=acting_user,
                event="member.export_full_pii",
                obj=acting_user.organization,
                action="view_pii",
                # Filter names only: a value may be an ID number (?q=...), which never goes into the log.
                note=_("导出含完整身份证号的%(what)s（筛选：%(f)s）")
                % {"what": what, "f": "、".join(sorted(str(k) for k in filters))[:200] or _("无")},
            )

    return audit


COLUMNS_BY_HEADER = {c.key: c.headers[0] for c in COLUMNS}
_CONFLICT_FIELDS = ("id", "name", "org_path", "status", "organization_id")
_WRITABLE = set(EDITABLE_FIELDS)  # what the resource may write is what the service lets anyone edit


def member_export_rows(*, user: Any, queryset: QuerySet) -> Iterator[list[Any]]:
    """The roster's rows, masked by role, read in chunks (a city's roster never sits in memory at once)."""
    resource = MemberResource(user=user)
    for member in resource.filter_export(queryset).iterator(chunk_size=2000):
        yield resource.export_resource(member)


def member_export_xlsx(*, user: Any, queryset: QuerySet) -> bytes:
    """The filtered, scoped roster as .xlsx (masked by role). ``queryset`` must come from ``visible_to``."""
    return write_xlsx(
        headers=list(TEMPLATE_HEADERS), rows=member_export_rows(user=user, queryset=queryset), sheet=_("党员名册")
    )


def member_export_spec(
    *, acting_user: User, queryset: QuerySet, filters: Any = (), total: int, max_rows: int
) -> ExportSpec:
    """The roster export: masked by role; reading full ID numbers is audited once the file is built (one row
    per export, on the exporting user's organization). Built at once when small, else as a background job
    (apps.core.export_jobs) — the same rows and the same audit either way. ``queryset`` must come from
    ``visible_to``; ``filters`` are the names of the filters in use."""
    full_pii = can_see_full_pii(acting_user)
    audit = member_full_pii_audit(acting_user=acting_user, full_pii=full_pii, what=_("党员名册"), filters=filters)

    return ExportSpec(
        title=_("党员名册"),
        filename=export_file_name(),
        headers=list(TEMPLATE_HEADERS),
        rows=member_export_rows(user=acting_user, queryset=queryset),
        total=total,
        sheet=_("党员名册"),
        max_rows=max_rows,
        full_pii=full_pii,
        after_build=audit,
    )


def member_export(*, acting_user: User, queryset: QuerySet, filters: Any = ()) -> bytes:
    """The roster export built at once (see ``member_export_spec``)."""
    spec = member_export_spec(
        acting_user=acting_user, queryset=queryset, filters=filters, total=0, max_rows=EXPORT_ROW_CAP
    )
    return build_workbook(spec)


def member_template_xlsx() -> bytes:
    """The import template: Chinese headers, ID and phone columns formatted as text, a sheet of notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("党员名册")
    sheet.append(TEMPLATE_HEADERS)
    required = {c.headers[0] for c in COLUMNS if c.required} | {"所在党组织"}
    for index, header in enumerate(TEMPLATE_HEADERS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if header in required else "000000")
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, len(header) * 2 + 4)
        if header in ("身份证号", "联系电话"):
            sheet.column_dimensions[letter].number_format = "@"
            sheet.column_dimensions[letter].width = 22
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    _template_dropdowns(workbook, sheet)
    example = workbook.create_sheet(_("填写示例"))
    example.append(TEMPLATE_HEADERS)
    example.append([TEMPLATE_EXAMPLE.get(h, "") for h in TEMPLATE_HEADERS])
    for index in range(1, len(TEMPLATE_HEADERS) + 1):
        letter = get_column_letter(index)
        example.cell(row=1, column=index).font = Font(bold=True)
        example.column_dimensions[letter].width = sheet.column_dimensions[letter].width
    example.freeze_panes = "A2"
    notes = workbook.create_sheet(_("填写说明"))
    for line in (
        _("红色表头为必填项；第一行是表头，请勿修改表头文字。“填写示例”页有一行示例，请在“党员名册”页填写。"),
        _("性别、民族、学历、人员类别、党内职务、党籍状态等列可从下拉列表中选择（列表见“代码表”页）。"),
        _("身份证号、联系电话两列已设置为文本格式，请勿改为数字（Excel 会丢失身份证号末几位）。"),
        _("所在党组织填写组织代码，或“上级名称/支部名称”的名称路径。"),
        _("日期可写作 2019-07-01、2019/7/1、2019年7月1日；出生日期可只写年月（2019.07）。"),
        _("民族可写“汉”或“汉族”；学历可写“本科”“大专”“中专”“研究生”等。"),
        _("人员类别：正式党员 / 预备党员。正式党员须填写转正日期。"),
        _("性别、出生日期可不填，将按身份证号自动生成；填写了则须与身份证号一致。"),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return workbook_bytes(workbook)


TEMPLATE_EXAMPLE = {
    "姓名": "张三",
    "性别": "男",
    "民族": "汉族",
    "出生日期": "1985-07-01",
    "身份证号": "110101198507010019",
    "籍贯": "江州市",
    "学历": "大学本科",
    "联系电话": "13800000000",
    "工作单位": "江州市某公司",
    "职务": "职员",
    "人员类别": "正式党员",
    "入党日期": "2010-07-01",
    "转正日期": "2011-07-01",
    "所在党组织": "春华社区第一网格党支部",
    "党籍状态": "正常",
}


def _template_dropdowns(workbook: Any, sheet: Any) -> None:
    """Drop-down lists (data validation) on the coded columns, their values on a 代码表 sheet."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = {
        "性别": [str(label) for _v, label in Gender.choices],
        "民族": [str(label) for _v, label in codes.ETHNICITY_CHOICES],
        "学历": [str(label) for _v, label in codes.EDUCATION_CHOICES],
        "工作岗位类别": [str(label) for v, label in OccupationCategory.choices if v],
        "人员类别": [str(label) for _v, label in Category.choices],
        "党内职务": [str(label) for v, label in PartyPost.choices if v],
        "党籍状态": [str(label) for _v, label in MemberStatus.choices],
        "流动党员": [str(label) for v, label in MobileState.choices if v],
        "失联党员": ["是", "否"],
        "失联原因": [str(label) for v, label in LostContactReason.choices if v],
    }
    table = workbook.create_sheet(_("代码表"))
    for col, (header, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        table.cell(row=1, column=col, value=header)
        for row, value in enumerate(values, start=2):
            table.cell(row=row, column=col, value=value)
        table.column_dimensions[letter].width = 16
        if header not in TEMPLATE_HEADERS:
            continue
        target = get_column_letter(TEMPLATE_HEADERS.index(header) + 1)
        rule = DataValidation(
            type="list",
            formula1=f"'{table.title}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("请从列表中选择"),
            error=_("“%(h)s”请从下拉列表中选择。") % {"h": header},
        )
        rule.add(f"{target}2:{target}1001")
        sheet.add_data_validation(rule)


def export_file_name(prefix: str = "党员名册") -> str:
    return f"{prefix}-{datetime.date.today():%Y%m%d}.xlsx"
