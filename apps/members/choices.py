"""Choice lists with Chinese labels. Codes follow the national standards where one exists."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    """GB/T 2261.1."""

    UNKNOWN = "0", _("未知的性别")
    MALE = "1", _("男")
    FEMALE = "2", _("女")
    UNSPECIFIED = "9", _("未说明的性别")


class Category(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    MEMBERSHIP_STOPPED = "membership_stopped", _("停止党籍")
    TRANSFERRED_OUT = "transferred_out", _("已转出")
    REMOVED = "removed", _("除名")
    EXPELLED = "expelled", _("开除党籍")
    WITHDRAWN = "withdrawn", _("退党")
    LEFT = "left", _("自行脱党")
    DECEASED = "deceased", _("死亡")


class PartyPost(models.TextChoices):
    NONE = "", _("无")
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    ORGANIZATION = "organization", _("组织委员")
    PUBLICITY = "publicity", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    GROUP_LEADER = "group_leader", _("党小组组长")


class MobileState(models.TextChoices):
    NONE = "", _("非流动党员")
    OUTFLOW = "outflow", _("流出")
    INFLOW = "inflow", _("流入")


class LostContactReason(models.TextChoices):
    NONE = "", _("—")
    MIGRANT_WORK = "migrant_work", _("外出务工经商")
    RESTRUCTURING = "restructuring", _("单位改制或破产")
    GRADUATE = "graduate", _("毕业后去向不明")
    UNIT_CHANGE = "unit_change", _("工作单位改变")
    ABROAD = "abroad", _("出国(境)")
    RESIDENCE = "residence", _("居住地改变")
    OTHER = "other", _("其他")


class OccupationCategory(models.TextChoices):
    """党内统计 occupation categories (simplified)."""

    NONE = "", _("—")
    WORKER = "worker", _("工人")
    FARMER = "farmer", _("农牧渔民")
    PROFESSIONAL = "professional", _("专业技术人员")
    ENTERPRISE_MANAGER = "enterprise_manager", _("企业管理人员")
    CIVIL_SERVANT = "civil_servant", _("党政机关工作人员")
    INSTITUTION_STAFF = "institution_staff", _("事业单位管理人员")
    STUDENT = "student", _("学生")
    RETIRED = "retired", _("离退休人员")
    MILITARY = "military", _("解放军、武警")
    OTHER = "other", _("其他职业人员")


class RecruitmentStage(models.TextChoices):
    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")
    CANCELLED = "cancelled", _("取消预备党员资格")
    WITHDRAWN = "withdrawn", _("终止发展")


STAGE_ORDER = [
    RecruitmentStage.APPLICANT,
    RecruitmentStage.ACTIVIST,
    RecruitmentStage.CANDIDATE,
    RecruitmentStage.PROBATIONARY,
    RecruitmentStage.FULL,
]


class TransferKind(models.TextChoices):
    INTERNAL = "internal", _("系统内转接")
    OUTSIDE = "outside", _("转出系统外")


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("待转出方审批")
    APPROVED = "approved", _("待接收方接收")
    RECEIVED = "received", _("已接收")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已撤销")
    ISSUED = "issued", _("已开具介绍信")


class Discipline(models.TextChoices):
    """党纪处分 in force (the roster's discipline record). Under 留党察看 a member has no vote, cannot stand
    for election or be an introducer (《中国共产党纪律处分条例》第四十条)."""

    NONE = "", _("无")
    WARNING = "warning", _("警告")
    SERIOUS_WARNING = "serious_warning", _("严重警告")
    POST_REMOVED = "post_removed", _("撤销党内职务")
    PROBATION = "probation", _("留党察看")
