from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    WORKING_COMMITTEE = "working_committee", _("党工委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    JOINT_BRANCH = "joint_branch", _("联合党支部")
    TEMPORARY_BRANCH = "temporary_branch", _("临时党支部")
    PARTY_GROUP = "party_group", _("党小组")


BRANCH_KINDS = {OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.TEMPORARY_BRANCH}
# A party group sits inside a branch (or a general branch, 支部工作条例).
PARTY_GROUP_PARENTS = BRANCH_KINDS | {OrgKind.GENERAL_BRANCH}


class Sector(models.TextChoices):
    RURAL = "rural", _("农村")
    COMMUNITY = "community", _("城市社区")
    GOVERNMENT = "government", _("机关")
    INSTITUTION = "institution", _("事业单位")
    SCHOOL = "school", _("学校")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业")
    PRIVATE_ENTERPRISE = "private_enterprise", _("非公有制企业")
    SOCIAL_ORGANIZATION = "social_organization", _("社会组织")
    OTHER = "other", _("其他")


class Grade(models.TextChoices):
    ADVANCED = "advanced", _("先进")
    STANDARD = "standard", _("达标")
    LAGGING = "lagging", _("后进")


class ConsolidationStatus(models.TextChoices):
    NONE = "", _("无")
    IN_PROGRESS = "in_progress", _("整顿中")
    COMPLETED = "completed", _("已整顿转化")
