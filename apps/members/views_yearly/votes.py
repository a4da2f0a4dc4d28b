"""支部党员大会表决: the list of a subtree's votes and one form for every kind (admission, confirmation, the
appraisal's ratings, other resolutions); the recruitment and appraisal pages link here with the target chosen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.scoping import get_visible_or_404
from apps.core.views import ListExportMixin, ScopedListView, ServiceFormView, field_columns
from apps.organizations.forms import OrganizationChoiceField, StyledFormMixin

from .. import votes as services
from ..appraisal_models import Appraisal
from ..choices import RecruitmentStage
from ..contact_models import BranchVote, VoteKind
from ..models import Recruitment
from .common import pick_org

CHOICE_CAP = 300


def _vote_result(v: BranchVote) -> str:
    if v.passed:
        return str(gettext_lazy("通过"))
    return str(gettext_lazy("到会不足半数") if not v.quorum_met else gettext_lazy("未通过"))


class VoteListView(ListExportMixin, ScopedListView):
    model = BranchVote
    template_name = "members/vote_list.html"
    export_filename = gettext_lazy("支部党员大会表决")
    export_columns = [
        *field_columns(
            BranchVote,
            [
                "held_on",
                "organization",
                "kind",
                "subject",
                "eligible",
                "present",
                "votes_for",
                "votes_against",
                "abstentions",
            ],
        ),
        (gettext_lazy("结果"), _vote_result),
    ]

    def get_kind(self) -> str:
        kind = self.request.GET.get("kind", "")
        return kind if kind in VoteKind.values else ""

    def get_queryset(self) -> Any:
        self.org = pick_org(self.request)
        qs = super().get_queryset().filter(org_path__startswith=self.org.path).select_related("organization")
        kind = self.get_kind()
        return (qs.filter(kind=kind) if kind else qs).order_by("-held_on", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(org=self.org, kind=self.get_kind(), kinds=VoteKind.choices)
        return ctx


class VoteForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("表决类别"), choices=VoteKind.choices)
    recruitment = forms.TypedChoiceField(
        label=gettext_lazy("发展对象 / 预备党员"), coerce=int, required=False, empty_value=None, choices=()
    )
    appraisal = forms.TypedChoiceField(
        label=gettext_lazy("民主评议"), coerce=int, required=False, empty_value=None, choices=()
    )
    subject = forms.CharField(
        label=gettext_lazy("表决事项"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("接收、转正和民主评议的表决事项按所选对象自动填写；其他决议须填写。"),
    )
    held_on = forms.DateField(label=gettext_lazy("支部党员大会日期"), widget=forms.DateInput())
    present = forms.IntegerField(label=gettext_lazy("到会有表决权的正式党员"), min_value=0)
    votes_for = forms.IntegerField(label=gettext_lazy("赞成"), min_value=0)
    against = forms.IntegerField(label=gettext_lazy("反对"), min_value=0)
    abstain = forms.IntegerField(label=gettext_lazy("弃权"), min_value=0)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"organization": OrganizationChoiceField(user=user, label=gettext_lazy("党支部")), **self.fields}
        self.fields["organization"].required = False
        self.fields["organization"].help_text = _("其他决议须选择党支部；其余类别按所选对象确定。")
        self.fields["organization"].widget.attrs.setdefault("class", "form-control")
        stages = (RecruitmentStage.CANDIDATE, RecruitmentStage.PROBATIONARY)
        recs = (
            Recruitment.objects.visible_to(user)
            .filter(stage__in=stages)
            .select_related("organization")
            .order_by("-id")[:CHOICE_CAP]
        )
        self.fields["recruitment"].choices = [("", "—")] + [
            (r.pk, f"{r.name}（{r.get_stage_display()}，{r.organization.name}）") for r in recs
        ]
        year = timezone.localdate().year
        appraisals = (
            Appraisal.objects.visible_to(user)
            .filter(year__gte=year - 1)
            .select_related("organization")
            .order_by("-year", "org_path")[:CHOICE_CAP]
        )
        self.fields["appraisal"].choices = [("", "—")] + [
            (a.pk, f"{a.organization.name} {a.year}年（{a.get_status_display()}）") for a in appraisals
        ]


class VoteCreateView(ServiceFormView):
    model = BranchVote
    permission_required = ("members.add_branchvote",)
    template_name = "members/form.html"
    form_class = VoteForm
    pass_user = True
    title = gettext_lazy("登记支部党员大会表决结果")

    def list_url(self) -> str:
        return reverse("members:vote_list")

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"held_on": timezone.localdate()}
        for key in ("kind", "recruitment", "appraisal"):
            value = self.request.GET.get(key, "")
            if value:
                initial[key] = value
        return initial

    def run_service(self, form: Any) -> Any:
        data = dict(form.cleaned_data)
        user = self.request.user
        recruitment = appraisal = None
        try:
            if data.get("recruitment"):
                recruitment = get_visible_or_404(
                    Recruitment.objects.select_related("organization"), user, pk=data["recruitment"]
                )
            if data.get("appraisal"):
                appraisal = get_visible_or_404(
                    Appraisal.objects.select_related("organization"), user, pk=data["appraisal"]
                )
        except Http404 as exc:
            raise ValidationError({"recruitment": _("所选对象不在您的管理范围内。")}) from exc
        kind = data["kind"]
        if kind in (VoteKind.ADMISSION, VoteKind.CONFIRMATION):
            organization = recruitment.organization if recruitment else data.get("organization")
        elif kind == VoteKind.APPRAISAL:
            organization = appraisal.organization if appraisal else data.get("organization")
        else:
            organization = data.get("organization")
        if organization is None:
            raise ValidationError({"organization": _("请选择党支部。")})
        services.branch_vote_record(
            acting_user=user,
            organization=organization,
            kind=kind,
            subject=data.get("subject") or "",
            recruitment=recruitment,
            appraisal=appraisal,
            held_on=data["held_on"],
            present=data["present"],
            votes_for=data["votes_for"],
            against=data["against"],
            abstain=data["abstain"],
        )
        if recruitment is not None:
            return recruitment
        return appraisal

    def success_url_for(self, result: Any) -> str:
        return result.get_absolute_url() if result is not None else self.list_url()
