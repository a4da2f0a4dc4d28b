"""Pages for the activists' half-yearly reviews and the admission vote of a recruitment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.views import ServiceFormView
from apps.organizations.forms import StyledFormMixin

from .. import recruitment_reviews as services
from .. import votes
from ..choices import RecruitmentStage
from ..contact_models import VoteKind
from ..models import Recruitment


class ReviewForm(StyledFormMixin, forms.Form):
    reviewed_on = forms.DateField(label=gettext_lazy("考察日期"), widget=forms.DateInput(), initial=timezone.localdate)
    conclusion = forms.CharField(
        label=gettext_lazy("考察意见"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActivistReviewView(ServiceFormView):
    model = Recruitment
    object_model = Recruitment
    permission_required = ("members.add_activistreview",)
    template_name = "members/form.html"
    form_class = ReviewForm
    title = gettext_lazy("记录培养考察（每半年一次）")

    def optimize_object_qs(self, model: Any) -> Any:
        return model.objects.select_related("organization")

    def run_service(self, form: Any) -> Any:
        services.activist_review_record(acting_user=self.request.user, recruitment=self.object, **form.cleaned_data)
        return self.object


class VoteForm(StyledFormMixin, forms.Form):
    held_on = forms.DateField(label=gettext_lazy("支部党员大会日期"), widget=forms.DateInput())
    present = forms.IntegerField(label=gettext_lazy("到会有表决权的正式党员"), min_value=0)
    votes_for = forms.IntegerField(label=gettext_lazy("赞成"), min_value=0)
    against = forms.IntegerField(label=gettext_lazy("反对"), min_value=0)
    abstain = forms.IntegerField(label=gettext_lazy("弃权"), min_value=0)


class AdmissionVoteView(ServiceFormView):
    """The tally of the general meeting that discusses admission (a 发展对象) or confirmation (a 预备党员);
    the advance to the next stage checks it."""

    model = Recruitment
    object_model = Recruitment
    permission_required = ("members.add_branchvote",)
    template_name = "members/form.html"
    form_class = VoteForm
    title = gettext_lazy("登记支部大会表决结果")

    def optimize_object_qs(self, model: Any) -> Any:
        return model.objects.select_related("organization")

    def get_initial(self) -> dict[str, Any]:
        return {"held_on": self.object.branch_vote_on if self.is_admission() else self.object.probation_ends_on}

    def is_admission(self) -> bool:
        return self.object.stage != RecruitmentStage.PROBATIONARY

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = (
            _("登记支部大会表决结果（接收预备党员）")
            if self.is_admission()
            else _("登记支部大会表决结果（预备党员转正）")
        )
        return ctx

    def run_service(self, form: Any) -> Any:
        votes.branch_vote_record(
            acting_user=self.request.user,
            organization=self.object.organization,
            kind=VoteKind.ADMISSION if self.is_admission() else VoteKind.CONFIRMATION,
            recruitment=self.object,
            **form.cleaned_data,
        )
        return self.object
