from __future__ import annotations

from typing import Any

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedReadOnlyViewSet
from apps.core.scoping import get_visible_or_404
from apps.core.text import is_digits
from apps.organizations.models import Organization

from .. import services
from ..filters import AllocationFilterSet, BudgetFilterSet, ExpenseFilterSet, FundingStandardFilterSet
from ..models import Allocation, Budget, Expense, FundingStandard
from ..selectors import Row, execution_summary
from . import serializers as s

# Write actions: rows come from visible_to (404 outside the scope) and the service checks the permission.
SERVICE_CHECKED = [permissions.IsAuthenticated]


def _visible(model: Any, user: Any, obj: Any) -> Any:
    """Re-fetch an object named in the input within the user's scope (404 outside it, like a missing one)."""
    return get_visible_or_404(model, user, pk=obj.pk) if obj is not None else None


class FundingStandardViewSet(ScopedReadOnlyViewSet):
    """Funding standards in scope. Filters: year, basis, source, within (org code). POST creates one."""

    queryset = FundingStandard.objects.all()
    serializer_class = s.FundingStandardSerializer
    filterset_class = FundingStandardFilterSet
    ordering = ["-year", "id"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("region", "previous")

    @extend_schema(request=s.FundingStandardInputSerializer, responses=s.FundingStandardSerializer)
    def create(self, request: Request) -> Response:
        ser = s.FundingStandardInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data["region"] = _visible(Organization, request.user, data["region"])
        std = services.standard_create(acting_user=request.user, **data)
        return Response(s.FundingStandardSerializer(std).data, status=201)

    @extend_schema(request=s.FundingStandardUpdateSerializer, responses=s.FundingStandardSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Change a standard (the fields given) while no allocation was made from it; its region's staff only."""
        std = self.get_object()
        ser = s.FundingStandardUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        std = services.standard_update(acting_user=request.user, standard=std, **ser.validated_data)
        return Response(s.FundingStandardSerializer(std).data)

    def get_permissions(self) -> list:
        if self.action in ("create", "partial_update"):
            return [p() for p in SERVICE_CHECKED]
        return super().get_permissions()

    @extend_schema(request=s.CopyForwardSerializer, responses={201: s.FundingStandardSerializer(many=True)})
    @action(
        detail=False,
        methods=["post"],
        url_path="copy-forward",
        permission_classes=SERVICE_CHECKED,
        pagination_class=None,
    )
    def copy_forward(self, request: Request) -> Response:
        ser = s.CopyForwardSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        region = _visible(Organization, request.user, ser.validated_data["region"])
        created = services.standard_copy_forward(
            acting_user=request.user, region=region, from_year=ser.validated_data["from_year"]
        )
        return Response(s.FundingStandardSerializer(created, many=True).data, status=201)


class BudgetViewSet(ScopedReadOnlyViewSet):
    """Yearly budgets in scope, each with what its organization already allocated from that source that year.
    Filters: year, source, within (org code). POST sets one (creates it, or changes the amount and note)."""

    queryset = Budget.objects.all()
    serializer_class = s.BudgetSerializer
    filterset_class = BudgetFilterSet
    ordering = ["-year", "organization_id", "source"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        used = (
            Allocation.objects.filter(
                issuer_id=OuterRef("organization_id"), year=OuterRef("year"), source=OuterRef("source")
            )
            .order_by()
            .values("issuer_id")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        money = DecimalField(max_digits=14, decimal_places=2)
        return qs.select_related("organization").annotate(
            allocated=Coalesce(Subquery(used, output_field=money), Value(0, output_field=money))
        )

    def get_permissions(self) -> list:
        if self.action == "create":
            return [p() for p in SERVICE_CHECKED]
        return super().get_permissions()

    @extend_schema(request=s.BudgetInputSerializer, responses={200: s.BudgetSerializer, 201: s.BudgetSerializer})
    def create(self, request: Request) -> Response:
        ser = s.BudgetInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data["organization"] = _visible(Organization, request.user, data["organization"])
        existed = Budget.objects.filter(
            organization=data["organization"], year=data["year"], source=data["source"]
        ).exists()
        budget = services.budget_set(acting_user=request.user, **data)
        budget = self.optimize_queryset(Budget.objects.filter(pk=budget.pk)).get()
        return Response(s.BudgetSerializer(budget).data, status=200 if existed else 201)


class AllocationViewSet(ScopedReadOnlyViewSet):
    """Allocations in scope. Filters: year, source, within, notice, org. POST enters one by hand; ``preview``
    and ``commit`` allocate standards to every organization they apply to."""

    queryset = Allocation.objects.all()
    serializer_class = s.AllocationSerializer
    filterset_class = AllocationFilterSet
    ordering = ["-allocated_on", "-id"]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "issuer", "notice")

    def get_permissions(self) -> list:
        if self.action in ("create", "preview", "commit"):
            return [p() for p in SERVICE_CHECKED]
        return super().get_permissions()

    @extend_schema(request=s.AllocationInputSerializer, responses=s.AllocationSerializer)
    def create(self, request: Request) -> Response:
        ser = s.AllocationInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data["issuer"] = _visible(Organization, request.user, data["issuer"])
        data["organization"] = _visible(Organization, request.user, data["organization"])
        alloc = services.allocation_create(acting_user=request.user, **data)
        return Response(s.AllocationSerializer(alloc).data, status=201)

    def _standards(self, request: Request) -> tuple[list[FundingStandard], dict]:
        ser = s.AllocateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        visible = FundingStandard.objects.visible_to(request.user).select_related("region", "previous")
        ids = [std.pk for std in ser.validated_data["standards"]]
        standards = list(visible.filter(pk__in=ids))
        if len(standards) != len(set(ids)):
            raise Http404
        return standards, ser.validated_data

    @extend_schema(request=s.AllocateSerializer, responses=s.AllocationPreviewSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """Per organization: basis and amount (first 1,000 lines), with count and total."""
        standards, _data = self._standards(request)
        p = services.allocation_preview(acting_user=request.user, standards=standards)
        return Response(
            {
                "issuer": p.issuer.pk,
                "year": p.year,
                "count": p.count,
                "total": str(p.total),
                "skipped": p.skipped,
                "warnings": p.warnings,
                "lines": s.PreviewLineSerializer(p.lines, many=True).data,
            }
        )

    @extend_schema(request=s.AllocateSerializer, responses={201: s.AllocationNoticeSerializer})
    @action(detail=False, methods=["post"])
    def commit(self, request: Request) -> Response:
        standards, data = self._standards(request)
        notice = services.allocation_commit(
            acting_user=request.user, standards=standards, allocated_on=data.get("allocated_on"), title=data["title"]
        )
        return Response(s.AllocationNoticeSerializer(notice).data, status=201)


class ExpenseViewSet(ScopedReadOnlyViewSet):
    """The expense ledger in scope. POST (multipart, ``vouchers`` files) records one; ``reverse`` corrects an
    entry with a reversal; ``vouchers`` adds a voucher."""

    queryset = Expense.objects.all()
    serializer_class = s.ExpenseSerializer
    filterset_class = ExpenseFilterSet
    ordering = ["-spent_on", "-id"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("organization", "reviewed_by").prefetch_related("vouchers")

    def get_permissions(self) -> list:
        if self.action in ("create", "reverse", "vouchers", "review", "resubmit"):
            return [p() for p in SERVICE_CHECKED]
        return super().get_permissions()

    @extend_schema(request={"multipart/form-data": s.ExpenseInputSerializer}, responses=s.ExpenseSerializer)
    def create(self, request: Request) -> Response:
        data = request.data
        if hasattr(data, "getlist"):
            data = data.copy()
            files = request.FILES.getlist("vouchers")
            data = {k: data.get(k) for k in data if k != "vouchers"}
            data["vouchers"] = files
        ser = s.ExpenseInputSerializer(data=data)
        ser.is_valid(raise_exception=True)
        values = dict(ser.validated_data)
        values["allocation"] = _visible(Allocation, request.user, values["allocation"])
        expense = services.expense_create(acting_user=request.user, **values)
        return Response(s.ExpenseSerializer(expense).data, status=201)

    @extend_schema(request=s.ReverseSerializer, responses={201: s.ExpenseSerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: Any = None) -> Response:
        ser = s.ReverseSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        reversal = services.expense_reverse(
            acting_user=request.user, expense=self.get_object(), reason=ser.validated_data["reason"]
        )
        return Response(s.ExpenseSerializer(reversal).data, status=201)

    @extend_schema(request={"multipart/form-data": s.VoucherUploadSerializer}, responses={201: s.VoucherSerializer})
    @action(detail=True, methods=["post"])
    def vouchers(self, request: Request, pk: Any = None) -> Response:
        ser = s.VoucherUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        voucher = services.voucher_add(
            acting_user=request.user, expense=self.get_object(), file=ser.validated_data["file"]
        )
        return Response(s.VoucherSerializer(voucher).data, status=201)

    @extend_schema(request=s.ExpenseReviewInputSerializer, responses=s.ExpenseSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: Any = None) -> Response:
        """The level above approves (posts) a submitted expense or returns it with a reason (``comment``)."""
        target = self.get_object()  # 404 outside the scope before anything else
        ser = s.ExpenseReviewInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        expense = services.expense_review(acting_user=request.user, expense=target, **ser.validated_data)
        return Response(s.ExpenseSerializer(self.get_queryset().get(pk=expense.pk)).data)

    @extend_schema(request=s.ExpenseResubmitSerializer, responses=s.ExpenseSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: Any = None) -> Response:
        """Correct a returned expense and submit it for review again."""
        target = self.get_object()  # 404 outside the scope before anything else
        ser = s.ExpenseResubmitSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        expense = services.expense_resubmit(acting_user=request.user, expense=target, **ser.validated_data)
        return Response(s.ExpenseSerializer(self.get_queryset().get(pk=expense.pk)).data)

    @extend_schema(request=None, responses=s.ExpenseReviewSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def reviews(self, request: Request, pk: Any = None) -> Response:
        """The expense's review trail (submitted, returned with reasons, resubmitted, approved), oldest first."""
        expense = self.get_object()
        rows = expense.reviews.select_related("actor", "actor_org").order_by("id")
        return Response(s.ExpenseReviewSerializer(rows, many=True).data)


class ExecutionViewSet(viewsets.ViewSet):
    """The roll-up for a scope: one row per child organization, the organization's own money, totals, and the
    scope's figures per source, category and month. ``org`` (id or code, default: the user's), ``year``."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[s.ExecutionQuerySerializer], responses=s.ExecutionSerializer)
    def list(self, request: Request) -> Response:
        if not request.user.has_perm("funding.view_allocation"):
            raise PermissionDenied()
        query = s.ExecutionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        value = query.validated_data.get("org", "").strip()
        year = query.validated_data.get("year") or timezone.localdate().year
        if value:
            # An id beyond any bigint is no organization (never an overflow in the database).
            lookup = Q(code=value) | Q(pk=int(value) if is_digits(value) and len(value) <= 15 else -1)
            org = Organization.objects.visible_to(request.user).filter(lookup).first()
        else:
            org = getattr(request.user, "organization", None)
        if org is None:
            raise Http404
        summary = execution_summary(user=request.user, organization=org, year=year)
        fig = s.FiguresSerializer
        return Response(
            {
                "organization": org.pk,
                "name": org.name,
                "year": year,
                "total": fig(
                    Row(summary["total"].allocated, summary["total"].spent, label=org.name, organization=org)
                ).data,
                "children": fig(summary["rows"], many=True).data,
                "own": fig(summary["own_row"]).data if summary["own_row"] else None,
                "by_source": [fig(r).data | {"source": r.key} for r in summary["by_source"]],
                "by_category": [
                    {"category": r.key, "name": r.label, "spent": str(r.spent)} for r in summary["by_category"]
                ],
                "by_month": [
                    {
                        "month": m["month"],
                        "allocated": str(m["allocated"]),
                        "spent": str(m["spent"]),
                        "cumulative_rate": str(m["cum_rate"]) if m["cum_rate"] is not None else None,
                    }
                    for m in summary["by_month"]
                ],
            }
        )
