"""失联党员审查 and 流动党员 pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.pii import can_see_full_pii
from apps.core.views import ListExportMixin, ScopedListView, ServiceFormView, field_columns
from apps.organizations.forms import OrganizationChoiceField, StyledFormMixin

from .. import contact, mobility
from ..choices import LostContactReason
from ..contact_models import ContactReview, MobileDirection, MobileRecord, ReviewDecision
from ..exports import member_full_pii_audit, member_id_cell, member_phone_cell
from ..models import Member


class MemberRecordExportMixin(ListExportMixin):
    """Export of a list of members' records: after the member's name, the member's ID number and phone exactly
    as the roster export writes them for the user's role (full only with ``accounts.view_full_pii``), and the
    same audit row as the roster when full numbers leave in the file."""

    def get_export_columns(self) -> list[tuple[Any, Any]]:
        full_pii = can_see_full_pii(self.request.user)  # type: ignore[attr-defined]
        name, *rest = super().get_export_columns()
        return [
            name,
            (gettext_lazy("身份证号"), lambda r: member_id_cell(r.member, full_pii=full_pii)),
            (gettext_lazy("联系电话"), lambda r: member_phone_cell(r.member, full_pii=full_pii)),
            *rest,
        ]

    def export_spec(self) -> Any:
        spec = super().export_spec()
        user = self.request.user  # type: ignore[attr-defined]
        spec.full_pii = can_see_full_pii(user)
        filters = [k for k, v in self.request.GET.items() if v and k != "export"]  # type: ignore[attr-defined]
        spec.after_build = member_full_pii_audit(
            acting_user=user, full_pii=spec.full_pii, what=str(self.export_filename), filters=filters
        )
        return spec


def _host(r: MobileRecord) -> str:
    return r.host_org.name if r.host_org_id else r.host_name


class ContactReviewListView(MemberRecordExportMixin, ScopedListView):
    model = ContactReview
    template_name = "members/contact_review_list.html"
    export_filename = gettext_lazy("失联党员审查")
    export_columns = field_columns(
        ContactReview,
        ["member", "organization", "kind", "opened_on", "last_activity_on", "reason", "decision", "committee_on",
         "note"],
    )  # fmt: skip

    def get_queryset(self) -> Any:
        qs = super().get_queryset().select_related("member", "organization")
        if self.request.GET.get("all") != "1":
            qs = qs.filter(decision="")
        return qs

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("members.add_contactreview"):
            raise PermissionDenied(_("您的角色没有此项操作的权限。"))
        root = "/" if request.user.is_superuser else request.user.organization.path
        result = contact.contact_scan(root_path=root)
        messages.success(
            request,
            _("已检查：新增失联审查%(a)d人，除名审查%(b)d人。") % {"a": result["lost_contact"], "b": result["removal"]},
        )
        return HttpResponseRedirect(reverse("members:contact_review_list"))


class DecideForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("决定"), choices=[c for c in ReviewDecision.choices if c[0]])
    committee_on = forms.DateField(label=gettext_lazy("支委会/支部大会研究日期"), widget=forms.DateInput())
    reason = forms.ChoiceField(
        label=gettext_lazy("失联原因"), choices=[c for c in LostContactReason.choices if c[0]], required=False
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)


class ContactReviewDecideView(ServiceFormView):
    model = ContactReview
    object_model = ContactReview
    permission_required = ("members.change_contactreview",)
    template_name = "members/form.html"
    form_class = DecideForm
    title = gettext_lazy("失联党员审查决定")

    def optimize_object_qs(self, model: Any) -> Any:
        return model.objects.select_related("member", "organization")

    def get_initial(self) -> dict[str, Any]:
        return {"committee_on": timezone.localdate(), "reason": self.object.reason}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        r = self.object
        ctx["title"] = f"{r.get_kind_display()}：{r.member.name}"
        return ctx

    def cancel_url(self) -> str:
        return reverse("members:contact_review_list")

    def run_service(self, form: Any) -> Any:
        contact.contact_review_decide(acting_user=self.request.user, review=self.object, **form.cleaned_data)
        return None

    def success_url_for(self, result: Any) -> str:
        return reverse("members:contact_review_list")


class ContactForm(StyledFormMixin, forms.Form):
    contacted_on = forms.DateField(label=gettext_lazy("联系日期"), widget=forms.DateInput(), initial=timezone.localdate)
    method = forms.CharField(
        label=gettext_lazy("联系方式"), max_length=30, help_text=gettext_lazy("如电话、走访、微信")
    )
    note = forms.CharField(label=gettext_lazy("情况"), max_length=200, required=False)


class MemberContactView(ServiceFormView):
    model = Member
    object_model = Member
    permission_required = ("members.add_membercontact",)
    template_name = "members/form.html"
    form_class = ContactForm
    title = gettext_lazy("登记联系情况")

    def optimize_object_qs(self, model: Any) -> Any:
        return model.objects.select_related("organization")

    def run_service(self, form: Any) -> Any:
        contact.member_contact_record(acting_user=self.request.user, member=self.object, **form.cleaned_data)
        return self.object


class MobileRecordListView(MemberRecordExportMixin, ScopedListView):
    model = MobileRecord
    template_name = "members/mobility_list.html"
    export_filename = gettext_lazy("流动党员")
    export_columns = [
        *field_columns(MobileRecord, ["member", "organization", "direction", "place"]),
        (gettext_lazy("流入地党组织"), _host),
        *field_columns(MobileRecord, ["starts_on", "ends_on", "ended_on", "certificate_no"]),
    ]

    def get_queryset(self) -> Any:
        qs = super().get_queryset().select_related("member", "organization", "host_org")
        if self.request.GET.get("all") != "1":
            qs = qs.filter(ended_on__isnull=True)
        return qs


class MobilityForm(StyledFormMixin, forms.Form):
    direction = forms.ChoiceField(label=gettext_lazy("流向"), choices=MobileDirection.choices)
    place = forms.CharField(label=gettext_lazy("流出/流入地"), max_length=100)
    starts_on = forms.DateField(label=gettext_lazy("外出/流入日期"), widget=forms.DateInput())
    ends_on = forms.DateField(label=gettext_lazy("预计返回/期满日期"), widget=forms.DateInput(), required=False)
    certificate_no = forms.CharField(label=gettext_lazy("流动党员活动证编号"), max_length=40, required=False)
    host_name = forms.CharField(label=gettext_lazy("流入地党组织（系统外）"), max_length=100, required=False)
    contact = forms.CharField(label=gettext_lazy("流动期间联系方式"), max_length=100, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from apps.organizations.models import Organization

        # the host may be any active organization in the system, not only the user's own subtree
        self.fields["host_org"] = OrganizationChoiceField(
            user=user,
            label=gettext_lazy("流入地党组织（系统内）"),
            required=False,
            queryset=Organization.objects.filter(is_active=True),
        )


class MobilityStartView(ServiceFormView):
    model = MobileRecord
    object_model = Member
    permission_required = ("members.add_mobilerecord",)
    template_name = "members/form.html"
    form_class = MobilityForm
    pass_user = True
    title = gettext_lazy("登记流动党员")

    def optimize_object_qs(self, model: Any) -> Any:
        return model.objects.select_related("organization")

    def run_service(self, form: Any) -> Any:
        mobility.mobility_start(acting_user=self.request.user, member=self.object, **form.cleaned_data)
        return self.object


class EndForm(StyledFormMixin, forms.Form):
    ended_on = forms.DateField(label=gettext_lazy("结束日期"), widget=forms.DateInput(), initial=timezone.localdate)


class MobilityEndView(ServiceFormView):
    model = MobileRecord
    object_model = MobileRecord
    permission_required = ("members.change_mobilerecord",)
    template_name = "members/form.html"
    form_class = EndForm
    title = gettext_lazy("结束流动登记")

    def optimize_object_qs(self, model: Any) -> Any:
        return model.objects.select_related("member", "organization")

    def cancel_url(self) -> str:
        return reverse("members:mobility_list")

    def run_service(self, form: Any) -> Any:
        mobility.mobility_end(acting_user=self.request.user, record=self.object, **form.cleaned_data)
        return None

    def success_url_for(self, result: Any) -> str:
        return reverse("members:mobility_list")
