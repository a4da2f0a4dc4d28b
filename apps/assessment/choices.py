from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草拟中")
    SCORING = "scoring", _("评分中")
    PUBLISHED = "published", _("已发布")


class IndicatorCategory(models.TextChoices):
    GROUP = "group", _("大项")
    STANDARD = "standard", _("小项")
    BONUS = "bonus", _("加分项")
    DEDUCTION = "deduction", _("扣分项")
    VETO = "veto", _("一票否决项")


class ScoringMethod(models.TextChoices):
    SYSTEM = "system", _("系统取数")
    RATERS = "raters", _("评委打分")
    DEMOCRATIC = "democratic", _("民主测评")
    DUTY_REVIEW = "duty_review", _("述职评议")
    OBSERVATION = "observation", _("观摩排名")
    MANUAL = "manual", _("人工评定")


class RuleKind(models.TextChoices):
    LINEAR = "linear", _("两值之间线性计分")
    THRESHOLDS = "thresholds", _("分档计分")
    PER_OCCURRENCE = "per_occurrence", _("按次扣分/加分")


class RaterCombine(models.TextChoices):
    MEAN = "mean", _("平均分")
    TRIMMED = "trimmed", _("去掉一个最高分和一个最低分后平均")


class GradingMethod(models.TextChoices):
    THRESHOLDS = "thresholds", _("按分数线")
    QUOTAS = "quotas", _("按比例")


class Rating(models.TextChoices):
    GOOD = "good", _("好")
    FAIR = "fair", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("差")


class DutyReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    REVIEWED = "reviewed", _("已评议")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("未采纳")


#: default weights for 好/较好/一般/差 when votes become points
DEFAULT_RATING_WEIGHTS = {"good": 1.0, "fair": 0.8, "average": 0.6, "poor": 0.0}
