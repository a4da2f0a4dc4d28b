from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterKind(models.TextChoices):
    REMINDER = "reminder", _("工作提示函")
    SUPERVISION = "supervision", _("工作督办函")
    WARNING = "warning", _("工作预警函")


class LetterStatus(models.TextChoices):
    SENT = "sent", _("已发出")
    READ = "read", _("已阅")
    ANSWERED = "answered", _("已回复")
    CLOSED = "closed", _("已办结")


class AccountabilityKind(models.TextChoices):
    PENDING = "pending", _("待研究决定")
    INTERVIEW = "interview", _("约谈")
    PUBLIC_CRITICISM = "public_criticism", _("通报批评")
    WRITTEN_INSPECTION = "written_inspection", _("责令书面检查")
    ADMONISHMENT = "admonishment", _("诫勉")
    ORGANIZATIONAL = "organizational", _("组织处理")
    NONE = "none", _("不予问责")


class AccountabilityStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    DECIDED = "decided", _("已决定")
    CLOSED = "closed", _("已办结")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    IN_PROGRESS = "in_progress", _("进行中")
    COMPLETED = "completed", _("已完成")


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("待督查")
    DONE = "done", _("已督查")


class Severity(models.TextChoices):
    MINOR = "minor", _("一般")
    MAJOR = "major", _("较重")
    SERIOUS = "serious", _("严重")


LETTER_DEFAULT_TEMPLATES = {
    LetterKind.REMINDER: (
        "关于做好{period_label}党建重点工作的提示函",
        "{addressee}：\n根据党建工作责任制和月度工作安排，现将{period_label}你单位需完成的党建工作提示如下，"
        "请对照清单逐项抓好落实，并于{deadline}前在系统中反馈落实情况。",
    ),
    LetterKind.SUPERVISION: (
        "关于督促办理逾期党建工作事项的督办函",
        "{addressee}：\n经查，截至{issue_date}，你单位下列党建工作事项已逾期或未按要求完成。"
        "请高度重视，立即组织整改，并于{deadline}前将办理情况书面报告{issuer}。",
    ),
    LetterKind.WARNING: (
        "关于党建工作事项逾期未办的预警函",
        "{addressee}：\n{period_label}，{issuer}已就下列事项向你单位发出工作督办函，但截至{issue_date}仍未完成。"
        "现予以预警。请你单位主要负责同志亲自过问，于{deadline}前完成整改并报告；"
        "逾期仍未整改或多次预警的，将按规定启动问责程序。",
    ),
}
