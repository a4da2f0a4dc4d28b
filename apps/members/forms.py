"""Input shape and scoped choices only; the rules are in services.py / recruitment.py / transfers.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.pii import can_see_full_pii, mask_phone
from apps.organizations.choices import OrgKind
from apps.organizations.forms import OrganizationChoiceField, StyledFormMixin

from .choices import Category, MemberStatus, RecruitmentStage, TransferKind
from .models import Member, Recruitment
from .recruitment import DATE_FIELDS as RECRUITMENT_DATE_FIELDS
from .services import CONTACT_FIELDS, EDITABLE_FIELDS

_DATE_WIDGETS = {
    name: forms.DateInput()
    for name in ("birth_date", "joined_on", "confirmed_on", "mobile_since", "lost_contact_since", "discipline_until")
}


class PartyGroupChoiceField(OrganizationChoiceField):
    def __init__(self, *, user: Any, **kwargs: Any) -> None:
        from apps.organizations.models import Organization

        kwargs.setdefault("queryset", Organization.objects.visible_to(user).active().filter(kind=OrgKind.PARTY_GROUP))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("所在党小组"))
        super().__init__(user=user, **kwargs)


class MaskedPhoneMixin:
    """Roles that see masked phones elsewhere see a masked phone in the edit form too; submitting the mask
    unchanged keeps the stored number."""

    def mask_phone_field(self, user: Any) -> None:
        instance = getattr(self, "instance", None)
        field = self.fields.get("phone")  # type: ignore[attr-defined]
        if field is None or instance is None or not instance.pk or not instance.phone or can_see_full_pii(user):
            return
        self._masked_phone = mask_phone(instance.phone)
        self.initial["phone"] = self._masked_phone  # type: ignore[attr-defined]
        field.help_text = _("当前号码已打码显示；不修改则保持原号码。")

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "")  # type: ignore[attr-defined]
        masked = getattr(self, "_masked_phone", None)
        if masked and value == masked:
            return self.instance.phone  # type: ignore[attr-defined]
        return value


class MemberForm(MaskedPhoneMixin, StyledFormMixin, forms.ModelForm):
    id_number = forms.CharField(label=_("身份证号"), max_length=30)

    class Meta:
        model = Member
        fields = [f for f in EDITABLE_FIELDS if f != "party_group"]
        widgets = _DATE_WIDGETS

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = kwargs.get("instance")
        self.fields = {
            "organization": OrganizationChoiceField(user=user, label=_("所在党支部")),
            "id_number": self.fields.pop("id_number"),
            **self.fields,
            "party_group": PartyGroupChoiceField(user=user),
        }
        self.fields["gender"].required = False
        self.fields["gender"].help_text = _("留空则按身份证号确定")
        self.fields["birth_date"].help_text = _("留空则按身份证号确定")
        if instance is not None and instance.pk:
            self.initial.setdefault("organization", instance.organization)
            self.initial.setdefault("party_group", instance.party_group)
            if can_see_full_pii(user):  # the view audits this read
                self.initial.setdefault("id_number", instance.id_number)
            else:
                self.fields["id_number"].required = False
                self.fields["id_number"].help_text = _("当前：%(m)s。留空则不修改。") % {"m": instance.id_masked}
        self.mask_phone_field(user)


class MemberContactForm(MaskedPhoneMixin, StyledFormMixin, forms.ModelForm):
    """What a branch secretary may change."""

    class Meta:
        model = Member
        fields = [f for f in CONTACT_FIELDS if f != "party_group"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party_group"] = PartyGroupChoiceField(user=user)
        instance = kwargs.get("instance")
        if instance is not None:
            self.initial.setdefault("party_group", instance.party_group)
        self.mask_phone_field(user)


class MemberStatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("党籍状态"), choices=[c for c in MemberStatus.choices if c[0] != MemberStatus.TRANSFERRED_OUT]
    )
    on = forms.DateField(label=_("变更日期"), widget=forms.DateInput())
    note = forms.CharField(label=_("依据/说明"), max_length=200, required=False)


class RecruitmentCreateForm(StyledFormMixin, forms.ModelForm):
    id_number = forms.CharField(label=_("身份证号"), max_length=30)

    class Meta:
        model = Recruitment
        fields = [
            "name",
            "ethnicity",
            "education",
            "phone",
            "work_unit",
            "is_league_member",
            "applied_on",
            "talked_on",
            "talked_by",
            "note",
        ]
        widgets = {"applied_on": forms.DateInput(), "talked_on": forms.DateInput()}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "organization": OrganizationChoiceField(user=user, label=_("党支部")),
            "name": self.fields.pop("name"),
            "id_number": self.fields.pop("id_number"),
            **self.fields,
        }


class _PeopleMixin:
    def _people_fields(self, recruitment: Recruitment, user: Any) -> None:
        full = (
            Member.objects.visible_to(user)
            .active()
            .filter(category=Category.FULL, organization_id=recruitment.organization_id)
            .only("id", "name", "organization_id")
        )
        self.fields["contacts"] = forms.ModelMultipleChoiceField(  # type: ignore[attr-defined]
            label=_("培养联系人"), queryset=full, required=False, widget=forms.SelectMultiple(attrs={"size": 5})
        )
        self.fields["introducers"] = forms.ModelMultipleChoiceField(  # type: ignore[attr-defined]
            label=_("入党介绍人"), queryset=full, required=False, widget=forms.SelectMultiple(attrs={"size": 5})
        )


class RecruitmentUpdateForm(MaskedPhoneMixin, _PeopleMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Recruitment
        fields = [
            *RECRUITMENT_DATE_FIELDS,
            "talked_by",
            "league_recommended",
            "political_review_conclusion",
            "training_hours",
            "approval_delay_reason",
            "phone",
            "work_unit",
            "education",
            "note",
        ]
        widgets = {name: forms.DateInput() for name in RECRUITMENT_DATE_FIELDS}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._people_fields(self.instance, user)
        self.mask_phone_field(user)
        self.initial.setdefault("contacts", list(self.instance.contacts.all()))
        self.initial.setdefault("introducers", list(self.instance.introducers.all()))


class RecruitmentAdvanceForm(StyledFormMixin, forms.Form):
    to_stage = forms.ChoiceField(label=_("推进到"), choices=RecruitmentStage.choices)


class RecruitmentExtendForm(StyledFormMixin, forms.Form):
    months = forms.IntegerField(label=_("延长预备期（月）"), min_value=1, max_value=24)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class RecruitmentStopForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label=_("日期"), widget=forms.DateInput())
    note = forms.CharField(label=_("原因"), max_length=200)


class TransferRequestForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("转接类型"), choices=TransferKind.choices)
    outside_destination = forms.CharField(label=_("转往单位（系统外）"), max_length=200, required=False)
    reason = forms.CharField(label=_("转接原因"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from apps.organizations.models import Organization

        # The receiving organization may be anywhere in the system, not only in the requester's scope.
        self.fields["to_org"] = OrganizationChoiceField(
            user=user,
            queryset=Organization.objects.active(),
            label=_("转入党组织（系统内）"),
            required=False,
        )


class TransferApproveForm(StyledFormMixin, forms.Form):
    letter_number = forms.CharField(label=_("介绍信编号"), max_length=50, required=False, help_text=_("留空自动编号"))


class TransferReturnForm(StyledFormMixin, forms.Form):
    return_reason = forms.CharField(label=_("退回原因"), max_length=200)


class RecruitmentDocumentForm(StyledFormMixin, forms.Form):
    stage = forms.ChoiceField(label=_("所属阶段"), choices=RecruitmentStage.choices)
    title = forms.CharField(label=_("材料名称"), max_length=100)
    file = forms.FileField(label=_("文件"))
