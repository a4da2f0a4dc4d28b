from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from apps.core.api import LabelledSerializer
from apps.organizations.models import Organization

from ..choices import ExpenseCategory, FundingSource, StandardBasis
from ..models import Allocation, AllocationNotice, Budget, Expense, ExpenseReview, ExpenseVoucher, FundingStandard


class FundingStandardSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    basis_display = serializers.CharField(source="get_basis_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    growth_percent = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True, allow_null=True)
    growth_warning = serializers.CharField(read_only=True)

    class Meta:
        model = FundingStandard
        fields = [
            "id",
            "region",
            "region_name",
            "year",
            "name",
            "basis",
            "basis_display",
            "target_kind",
            "target_sector",
            "target_parent_kind",
            "top_level_only",
            "amount",
            "source",
            "source_display",
            "growth_min_percent",
            "growth_percent",
            "growth_warning",
            "note",
        ]


class FundingStandardInputSerializer(serializers.Serializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), label="适用地区")
    year = serializers.IntegerField(label="年度")
    name = serializers.CharField(max_length=100, label="标准名称")
    basis = serializers.ChoiceField(choices=StandardBasis.choices, label="计算方式")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, label="标准金额")
    source = serializers.ChoiceField(choices=FundingSource.choices, label="经费来源")
    target_kind = serializers.CharField(required=False, allow_blank=True, default="")
    target_sector = serializers.CharField(required=False, allow_blank=True, default="")
    target_parent_kind = serializers.CharField(required=False, allow_blank=True, default="")
    top_level_only = serializers.BooleanField(required=False, default=True)
    growth_min_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FundingStandardUpdateSerializer(LabelledSerializer):
    """The fields a standard's region may still change before any allocation was made from it."""

    name = serializers.CharField(max_length=100, label="标准名称", required=False)
    basis = serializers.ChoiceField(choices=StandardBasis.choices, label="计算方式", required=False)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, label="标准金额", required=False)
    source = serializers.ChoiceField(choices=FundingSource.choices, label="经费来源", required=False)
    target_kind = serializers.CharField(required=False, allow_blank=True)
    target_sector = serializers.CharField(required=False, allow_blank=True)
    target_parent_kind = serializers.CharField(required=False, allow_blank=True)
    top_level_only = serializers.BooleanField(required=False)
    growth_min_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


class BudgetSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    allocated = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text="本年度该来源已下拨（元）"
    )

    class Meta:
        model = Budget
        fields = ["id", "organization", "organization_name", "year", "source", "source_display", "amount",
                  "allocated", "note"]  # fmt: skip
        read_only_fields = fields


class BudgetInputSerializer(LabelledSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), label="党组织")
    year = serializers.IntegerField(label="年度")
    source = serializers.ChoiceField(choices=FundingSource.choices, label="经费来源")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, label="预算金额")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label="说明")


class CopyForwardSerializer(serializers.Serializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), label="地区")
    from_year = serializers.IntegerField(label="复制年度")


class AllocationSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    notice_number = serializers.CharField(source="notice.number_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "issuer",
            "issuer_name",
            "organization",
            "organization_name",
            "year",
            "source",
            "source_display",
            "amount",
            "spent",
            "pending",
            "remaining",
            "standard",
            "basis",
            "notice",
            "notice_number",
            "allocated_on",
        ]


class AllocationInputSerializer(serializers.Serializer):
    issuer = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), label="下拨单位")
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), label="收款单位")
    year = serializers.IntegerField(label="年度")
    source = serializers.ChoiceField(choices=FundingSource.choices, label="经费来源")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, label="金额")
    basis = serializers.CharField(max_length=300, label="下拨依据")
    allocated_on = serializers.DateField(required=False, label="下拨日期")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AllocateSerializer(serializers.Serializer):
    standards = serializers.PrimaryKeyRelatedField(queryset=FundingStandard.objects.all(), many=True, label="依据标准")
    allocated_on = serializers.DateField(required=False, label="下拨日期")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PreviewLineSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization_id")
    name = serializers.CharField()
    basis = serializers.CharField()
    amount = serializers.DecimalField(source="total", max_digits=14, decimal_places=2)


class AllocationNoticeSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="number_display", read_only=True)
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)

    class Meta:
        model = AllocationNotice
        fields = ["id", "issuer", "issuer_name", "number", "title", "body", "issued_on", "total", "recipient_count"]


class VoucherSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExpenseVoucher
        fields = ["id", "name", "size", "uploaded_at", "download_url"]

    def get_download_url(self, obj: ExpenseVoucher) -> str:
        return obj.get_absolute_url()


class ExpenseSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    vouchers = VoucherSerializer(many=True, read_only=True)
    reviewed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Expense
        fields = [
            "id",
            "organization",
            "organization_name",
            "allocation",
            "source",
            "spent_on",
            "category",
            "category_display",
            "amount",
            "payee",
            "purpose",
            "approved_by",
            "status",
            "status_display",
            "reverses",
            "voucher_count",
            "vouchers",
            "reviewed_by_name",
            "reviewed_at",
            "review_comment",
        ]

    def get_reviewed_by_name(self, obj: Expense) -> str:
        user = obj.reviewed_by
        return (getattr(user, "display_name", "") or getattr(user, "username", "")) if user is not None else ""


class ExpenseReviewInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField(label="审核通过（否则退回）")
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True, default="", label="审核意见")


class ExpenseResubmitSerializer(serializers.Serializer):
    spent_on = serializers.DateField(label="支出日期")
    category = serializers.ChoiceField(choices=ExpenseCategory.choices, label="支出类别")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, label="金额")
    payee = serializers.CharField(max_length=100, label="收款方")
    purpose = serializers.CharField(max_length=300, label="用途")
    approved_by = serializers.CharField(max_length=50, label="审批人")


class ExpenseReviewSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    actor_name = serializers.SerializerMethodField()
    actor_org_name = serializers.SerializerMethodField()

    class Meta:
        model = ExpenseReview
        fields = ["id", "action", "action_display", "actor_name", "actor_org_name", "comment", "created_at"]

    def get_actor_name(self, obj: ExpenseReview) -> str:
        user = obj.actor
        return (getattr(user, "display_name", "") or getattr(user, "username", "")) if user is not None else ""

    def get_actor_org_name(self, obj: ExpenseReview) -> str:
        return obj.actor_org.name if obj.actor_org is not None else ""


class ExpenseInputSerializer(serializers.Serializer):
    allocation = serializers.PrimaryKeyRelatedField(queryset=Allocation.objects.all(), label="使用经费")
    spent_on = serializers.DateField(label="支出日期")
    category = serializers.ChoiceField(choices=ExpenseCategory.choices, label="支出类别")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, label="金额")
    payee = serializers.CharField(max_length=100, label="收款方")
    purpose = serializers.CharField(max_length=300, label="用途")
    approved_by = serializers.CharField(max_length=50, label="审批人")
    vouchers = serializers.ListField(child=serializers.FileField(), required=False, default=list, label="凭证")


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label="冲正原因")


class VoucherUploadSerializer(serializers.Serializer):
    file = serializers.FileField(label="凭证文件")


class FiguresSerializer(serializers.Serializer):
    organization = serializers.SerializerMethodField()
    name = serializers.CharField(source="label")
    allocated = serializers.DecimalField(max_digits=16, decimal_places=2)
    spent = serializers.DecimalField(max_digits=16, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=16, decimal_places=2)
    # Percent, one decimal, unbounded (an overspent small allocation is over 10,000 %); null: nothing allocated.
    rate = serializers.DecimalField(max_digits=None, decimal_places=1, allow_null=True)

    def get_organization(self, obj: object) -> int | None:
        org = getattr(obj, "organization", None)
        return org.pk if org is not None else None


class AllocationPreviewSerializer(serializers.Serializer):
    """What ``allocations/preview/`` returns: per organization basis and amount (the first 1,000 lines)."""

    issuer = serializers.IntegerField(help_text="下拨单位 id")
    year = serializers.IntegerField()
    count = serializers.IntegerField(help_text="收款单位数（全部，不止返回的前 1000 行）")
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    skipped = serializers.IntegerField(help_text="已按这些标准下拨过、本次跳过的单位数")
    warnings = serializers.ListField(child=serializers.CharField())
    lines = PreviewLineSerializer(many=True)


class ExecutionQuerySerializer(serializers.Serializer):
    org = serializers.CharField(
        required=False, allow_blank=True, max_length=30, help_text="党组织 id 或代码（默认本人所在组织）"
    )
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, label="年度", help_text="默认今年")


class SourceFiguresSerializer(FiguresSerializer):
    source = serializers.ChoiceField(choices=FundingSource.choices)


class CategorySpentSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ExpenseCategory.choices)
    name = serializers.CharField()
    spent = serializers.DecimalField(max_digits=16, decimal_places=2)


class MonthFiguresSerializer(serializers.Serializer):
    month = serializers.IntegerField(min_value=1, max_value=12)
    allocated = serializers.DecimalField(max_digits=16, decimal_places=2)
    spent = serializers.DecimalField(max_digits=16, decimal_places=2)
    cumulative_rate = serializers.DecimalField(
        max_digits=None, decimal_places=1, allow_null=True, help_text="累计执行率（%）"
    )


@extend_schema_serializer(many=False)  # the viewset's "list" answers one object, not an array
class ExecutionSerializer(serializers.Serializer):
    """What ``funding/execution/`` returns: one scope's roll-up for a year."""

    organization = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    total = FiguresSerializer()
    children = FiguresSerializer(many=True)
    own = FiguresSerializer(allow_null=True, help_text="本组织自身（不含下级）的经费；没有时为 null")
    by_source = SourceFiguresSerializer(many=True)
    by_category = CategorySpentSerializer(many=True)
    by_month = MonthFiguresSerializer(many=True)
