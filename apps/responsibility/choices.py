from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    TASK = "task", _("任务清单")
    PROBLEM = "problem", _("问题清单")
    DUTY = "duty", _("责任清单")


class ProblemSource(models.TextChoices):
    ASSESSMENT = "assessment", _("考核")
    INSPECTION = "inspection", _("督查")
    OBSERVATION = "observation", _("观摩")
    AUDIT = "audit", _("审计")
    SELF_CHECK = "self_check", _("自查")


class Severity(models.TextChoices):
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("较重")
    MAJOR = "major", _("严重")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")


class DutyPost(models.TextChoices):
    SECRETARY = "secretary", _("书记（第一责任人）")
    DEPUTY = "deputy", _("副书记")
    COMMITTEE_MEMBER = "committee_member", _("委员（一岗双责）")
    OTHER = "other", _("其他")


class DeadlineClass(models.TextChoices):
    IMMEDIATE = "immediate", _("立行立改")
    BY_DATE = "by_date", _("限期整改")
    LONG_TERM = "long_term", _("长期坚持")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    AWAITING_SIGNOFF = "awaiting_signoff", _("已完成待销号")
    SIGNED_OFF = "signed_off", _("已销号")


class LedgerStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交待审核")
    APPROVED = "approved", _("已审核通过")
    RETURNED = "returned", _("已退回")


class MeetingKind(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支部委员会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    PARTY_LECTURE = "party_lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    MEMBER_APPRAISAL = "member_appraisal", _("民主评议党员")


class RequirementPeriod(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")
