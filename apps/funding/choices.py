from django.db import models
from django.utils.translation import gettext_lazy as _


class FundingSource(models.TextChoices):
    FISCAL = "fiscal", _("财政预算")
    DUES_RETURN = "dues_return", _("党费返还")
    SPECIAL = "special", _("上级专项")
    OTHER = "other", _("其他")


class StandardBasis(models.TextChoices):
    PER_ORG = "per_org", _("按组织（每个）")
    PER_MEMBER = "per_member", _("按党员人数（每人）")
    PER_SITE = "per_site", _("按示范点（每个）")
    FIXED = "fixed", _("固定项目")


class ExpenseCategory(models.TextChoices):
    ACTIVITY = "activity", _("组织活动")
    VENUE = "venue", _("阵地建设")
    TRAINING = "training", _("教育培训")
    RELIEF = "relief", _("慰问帮扶")
    SERVICE = "service", _("党员服务")
    OFFICE = "office", _("办公")
    OTHER = "other", _("其他")


class ExpenseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    POSTED = "posted", _("已入账")
    REVERSED = "reversed", _("已冲正")
    REVERSAL = "reversal", _("冲正记录")


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", _("经办提交")
    RESUBMIT = "resubmit", _("修改后重新提交")
    APPROVE = "approve", _("审核通过")
    RETURN = "return", _("退回")
