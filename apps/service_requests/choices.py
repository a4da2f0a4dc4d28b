from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口")
    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门走访")
    GRID = "grid", _("网格巡查")
    ONLINE = "online", _("网上")
    OTHER = "other", _("其他")


class RequestStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ACCEPTED = "accepted", _("已受理")
    ASSIGNED = "assigned", _("已分派")
    IN_PROGRESS = "in_progress", _("办理中")
    SUSPENDED = "suspended", _("已挂起")
    ANSWERED = "answered", _("已办结")
    FOLLOWED_UP = "followed_up", _("已回访")
    CLOSED = "closed", _("已关闭")


#: states in which the clock runs and the request counts as open work of its organization
OPEN_STATUSES = [
    RequestStatus.REGISTERED,
    RequestStatus.ACCEPTED,
    RequestStatus.ASSIGNED,
    RequestStatus.IN_PROGRESS,
]
#: not yet 办结 (suspended requests are open but paused)
UNANSWERED_STATUSES = [*OPEN_STATUSES, RequestStatus.SUSPENDED]


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class StepAction(models.TextChoices):
    REGISTER = "register", _("登记")
    ACCEPT = "accept", _("受理")
    ASSIGN = "assign", _("分派")
    START = "start", _("开始办理")
    ANSWER = "answer", _("办结")
    FOLLOW_UP = "follow_up", _("回访")
    REOPEN = "reopen", _("二次办理")
    CLOSE = "close", _("关闭")
    TRANSFER = "transfer", _("转办")
    ESCALATE = "escalate", _("上报")
    SUSPEND_REQUEST = "suspend_request", _("申请挂起")
    SUSPEND_APPROVE = "suspend_approve", _("批准挂起")
    SUSPEND_REJECT = "suspend_reject", _("驳回挂起")
    RESUME = "resume", _("恢复办理")
    NOTE = "note", _("备注")


class WishStatus(models.TextChoices):
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领")
    FULFILLED = "fulfilled", _("已实现（待确认）")
    CONFIRMED = "confirmed", _("已确认")


class ClaimantKind(models.TextChoices):
    MEMBER = "member", _("党员")
    UNIT = "unit", _("单位党组织")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("待社区确认")
    ACTIVE = "active", _("已报到")
    ENDED = "ended", _("已结束")


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("待社区确认")
    CONFIRMED = "confirmed", _("已确认")
