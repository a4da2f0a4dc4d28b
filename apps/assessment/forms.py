"""Input shapes; the services check the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.metrics import metric_choices
from apps.organizations.choices import OrgKind, Sector
from apps.organizations.forms import StyledFormMixin

from .choices import GradingMethod, IndicatorCategory, RaterCombine, RuleKind, ScoringMethod
from .models import AssessmentPlan, Indicator


class PlanForm(StyledFormMixin, forms.ModelForm):
    scope_kinds = forms.MultipleChoiceField(
        label=_("考核对象类别"), choices=OrgKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示全部类别"),
    )  # fmt: skip
    scope_sectors = forms.MultipleChoiceField(
        label=_("考核对象领域"), choices=Sector.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示全部领域"),
    )  # fmt: skip
    star_thresholds = forms.CharField(
        label=_("星级分数线"),
        required=False,
        help_text=_("五星、四星、三星、二星的最低分，如：90,80,70,60；留空不评星"),
    )

    class Meta:
        model = AssessmentPlan
        fields = [
            "title", "year", "scope_kinds", "scope_sectors", "rater_combine", "bonus_cap", "deduction_cap",
            "grading_method", "advanced_min_score", "lagging_below_score", "advanced_quota_percent",
            "lagging_quota_percent", "star_thresholds", "appeal_days",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rater_combine"].choices = RaterCombine.choices
        self.fields["grading_method"].choices = GradingMethod.choices
        for name in ("scope_kinds", "scope_sectors"):
            self.fields[name].widget.attrs = {}
        if self.instance.pk and self.instance.star_thresholds:
            self.initial["star_thresholds"] = ",".join(str(s) for s in self.instance.star_thresholds)

    def _post_clean(self) -> None:  # the service validates
        pass

    def clean_star_thresholds(self) -> list[Decimal]:
        raw = (self.cleaned_data.get("star_thresholds") or "").replace("，", ",").strip()
        if not raw:
            return []
        try:
            return [int(x) if float(x).is_integer() else float(x) for x in raw.split(",") if x.strip()]
        except ValueError as exc:
            raise forms.ValidationError(_("星级分数线请填写用逗号分隔的数字。")) from exc


class CopyPlanForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("新方案年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("新方案名称"), max_length=200, required=False, help_text=_("留空则按年度自动命名"))


class IndicatorForm(StyledFormMixin, forms.Form):
    """One node; the rule is entered as a few plain fields and stored as data."""

    category = forms.ChoiceField(label=_("类别"), choices=IndicatorCategory.choices)
    parent = forms.ModelChoiceField(label=_("所属大项"), queryset=Indicator.objects.none(), required=False,
                                    empty_label=_("（无）"))  # fmt: skip
    seq = forms.IntegerField(label=_("序号"), min_value=0, initial=0)
    name = forms.CharField(label=_("指标名称"), max_length=200)
    points = forms.DecimalField(label=_("分值"), max_digits=6, decimal_places=2, initial=0,
                                help_text=_("加分、扣分项填该项最多可加、扣的分数"))  # fmt: skip
    method = forms.ChoiceField(label=_("评分方式"), choices=[("", _("（大项不需要）")), *ScoringMethod.choices],
                               required=False)  # fmt: skip
    metric_name = forms.ChoiceField(label=_("系统指标"), required=False)
    rule_kind = forms.ChoiceField(label=_("计分规则"), choices=[("", _("（不适用）")), *RuleKind.choices],
                                  required=False)  # fmt: skip
    low = forms.DecimalField(label=_("线性：零分取值"), required=False, help_text=_("比率按百分数填写，如60"))
    high = forms.DecimalField(label=_("线性：满分取值"), required=False)
    steps = forms.CharField(label=_("分档：取值:得分比例"), required=False, help_text=_("如 95:1,80:0.6,60:0.3"))
    lower_is_better = forms.BooleanField(label=_("分档：越低越好"), required=False)
    each = forms.DecimalField(label=_("按次：每次分值"), required=False)
    visit = forms.TypedChoiceField(label=_("观摩活动"), coerce=int, empty_value=None, required=False,
                                   help_text=_("评分方式为观摩排名时选择"))  # fmt: skip
    criteria = forms.CharField(label=_("评分标准"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, plan: AssessmentPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = plan.indicators.filter(category=IndicatorCategory.GROUP)
        self.fields["metric_name"].choices = [("", _("（请选择）")), *metric_choices()]
        self.fields["visit"].choices = [("", _("请选择…")), *observation_visit_choices(plan, self.initial.get("visit"))]

    @classmethod
    def initial_for(cls, ind: Indicator) -> dict[str, Any]:
        rule = ind.rule or {}
        steps = ",".join(f"{v}:{s}" for v, s in rule.get("steps", []))
        return {
            "category": ind.category, "parent": ind.parent_id, "seq": ind.seq, "name": ind.name, "points": ind.points,
            "method": ind.method, "metric_name": ind.metric_name, "rule_kind": rule.get("kind", ""),
            "low": rule.get("low"), "high": rule.get("high"), "steps": steps,
            "lower_is_better": rule.get("lower_is_better", False), "each": rule.get("each"),
            "visit": rule.get("visit"), "criteria": ind.criteria,
        }  # fmt: skip

    def service_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        kind = d.get("rule_kind")
        rule: dict[str, Any] = {}
        if kind == RuleKind.LINEAR:
            if d.get("low") is None or d.get("high") is None:
                self.add_error("low", _("线性计分请填写零分取值和满分取值。"))
            else:
                rule = {"kind": kind, "low": float(d["low"]), "high": float(d["high"])}
        elif kind == RuleKind.THRESHOLDS:
            try:
                pairs = [p.split(":") for p in d.get("steps", "").replace("：", ":").replace("，", ",").split(",") if p]
                rule = {"kind": kind, "steps": [[float(v), float(s)] for v, s in pairs]}
            except ValueError:
                self.add_error("steps", _("分档格式应为「取值:得分比例」，多档用逗号分隔。"))
            if d.get("lower_is_better"):
                rule["lower_is_better"] = True
        elif kind == RuleKind.PER_OCCURRENCE:
            if d.get("each") is None:
                self.add_error("each", _("按次计分请填写每次分值。"))
            else:
                rule = {"kind": kind, "each": float(d["each"])}
        if d.get("visit"):
            rule["visit"] = d["visit"]
        return {
            "category": d["category"], "parent": d.get("parent"), "seq": d.get("seq") or 0, "name": d["name"],
            "points": d["points"], "method": d.get("method") or "", "metric_name": d.get("metric_name") or "",
            "rule": rule, "criteria": d.get("criteria", ""),
        }  # fmt: skip


class PointsForm(StyledFormMixin, forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.DecimalField(label=_("得分"), max_digits=6, decimal_places=2, min_value=0)
    evidence = forms.CharField(label=_("依据"), max_length=300, required=False)


class VotesForm(StyledFormMixin, forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    good = forms.IntegerField(label=_("好"), min_value=0, initial=0)
    fair = forms.IntegerField(label=_("较好"), min_value=0, initial=0)
    average = forms.IntegerField(label=_("一般"), min_value=0, initial=0)
    poor = forms.IntegerField(label=_("差"), min_value=0, initial=0)


class VetoForm(StyledFormMixin, forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    vetoed = forms.BooleanField(label=_("认定一票否决"), required=False)
    reason = forms.CharField(label=_("否决原因"), max_length=500, required=False)


class AppealForm(StyledFormMixin, forms.Form):
    indicator = forms.ModelChoiceField(label=_("申诉指标"), queryset=Indicator.objects.none(), required=False,
                                       empty_label=_("（总分/综合）"))  # fmt: skip
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, plan: AssessmentPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = plan.indicators.exclude(category=IndicatorCategory.GROUP)


class AppealAnswerForm(StyledFormMixin, forms.Form):
    accept = forms.TypedChoiceField(label=_("处理结果"), choices=[("1", _("采纳")), ("0", _("不采纳"))],
                                    coerce=lambda v: v == "1")  # fmt: skip
    new_points = forms.DecimalField(label=_("调整后得分"), required=False, max_digits=6, decimal_places=2,
                                    help_text=_("采纳并需改分时填写"))  # fmt: skip
    answer = forms.CharField(label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 3}))


class DutyReportForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    reporter_name = forms.CharField(label=_("述职人"), max_length=50)
    title = forms.CharField(label=_("标题"), max_length=200)
    text = forms.CharField(label=_("述职内容"), widget=forms.Textarea(attrs={"rows": 10}))
    attachment = forms.FileField(label=_("附件"), required=False)
    submit = forms.BooleanField(label=_("提交评议（提交后不能修改）"), required=False)


class DutyReviewForm(StyledFormMixin, forms.Form):
    good = forms.IntegerField(label=_("好（票）"), min_value=0, initial=0)
    fair = forms.IntegerField(label=_("较好（票）"), min_value=0, initial=0)
    average = forms.IntegerField(label=_("一般（票）"), min_value=0, initial=0)
    poor = forms.IntegerField(label=_("差（票）"), min_value=0, initial=0)
    comment = forms.CharField(label=_("评议意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


def observation_visit_choices(plan: AssessmentPlan, current: Any = None) -> list[tuple[int, str]]:
    """The newest 100 观摩活动 held in the plan's organization's subtree (plus the one already chosen), by title and
    month: the form asked for the visit's number, which nobody knows."""
    from apps.core.periods import Period
    from apps.supervision.models import ObservationVisit

    visits = ObservationVisit.objects.filter(organization__path__startswith=plan.organization.path)
    chosen = list(visits.order_by("-visit_on", "-pk")[:100])
    if current and all(v.pk != current for v in chosen):
        chosen += list(ObservationVisit.objects.filter(pk=current))

    def label(v: Any) -> str:
        try:
            return f"{v.title}（{Period.parse(v.period).label}）"
        except Exception:
            return v.title

    return [(v.pk, label(v)) for v in chosen]
