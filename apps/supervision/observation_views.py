"""Observation scoring pages: the sheet and route (staff), the rater's phone page, the visit's ranking."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedQuerysetMixin
from apps.organizations.models import Organization

from . import observation_findings
from . import observation_scoring as scoring
from .choices import Severity
from .models import ObservationVisit
from .observation_models import ObservationRating, VisitType


class _VisitPage(ScopedQuerysetMixin, TemplateView):
    model = ObservationVisit

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            self.visit = get_visible_or_404(
                ObservationVisit.objects.select_related("organization"), request.user, pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["visit"] = self.visit
        ctx["sheet"] = scoring.sheet_for(self.visit)
        ctx["dimensions"] = list(self.visit.dimensions.all())
        return ctx


class ObservationSheetView(_VisitPage):
    """Visit type, dimensions (name and maximum, one per line) and the route (organization codes)."""

    permission_required = ("supervision.change_observationvisit",)
    template_name = "supervision/observation_sheet.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["visit_types"] = VisitType.choices
        ctx["dimensions_text"] = kwargs.get("dimensions_text") or "\n".join(
            f"{d.name} {d.max_points.normalize()}" for d in ctx["dimensions"]
        )
        ctx["targets_text"] = kwargs.get("targets_text") or "\n".join(
            t.organization.code for t in self.visit.targets.select_related("organization")
        )
        ctx["errors"] = kwargs.get("errors", {})
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        dims_text = request.POST.get("dimensions", "")
        targets_text = request.POST.get("targets", "")
        errors: dict[str, list[str]] = {}
        dims = []
        for n, line in enumerate(dims_text.splitlines(), start=1):
            parts = line.replace("，", " ").replace(",", " ").split()
            if not parts:
                continue
            try:
                dims.append((" ".join(parts[:-1]) or parts[0], Decimal(parts[-1]) if len(parts) > 1 else Decimal(20)))
            except InvalidOperation:
                errors.setdefault("dimensions", []).append(_("第%(n)d行的满分不是数字。") % {"n": n})
        codes = [c.strip() for c in targets_text.replace(",", "\n").replace("，", "\n").splitlines() if c.strip()]
        found = {o.code: o for o in Organization.objects.visible_to(request.user).filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            errors.setdefault("targets", []).append(
                _("找不到组织代码：%(codes)s，或不在您的管理范围内。") % {"codes": "、".join(missing)}
            )
        if not errors:
            try:
                scoring.observation_sheet_set(
                    acting_user=request.user, visit=self.visit, visit_type=request.POST.get("visit_type", ""),
                    dimensions=dims,
                )  # fmt: skip
                scoring.observation_targets_set(
                    acting_user=request.user, visit=self.visit, organizations=[found[c] for c in codes]
                )
                messages.success(request, _("评分表和观摩路线已保存。"))
                return HttpResponseRedirect(reverse("supervision:observation_rate", args=[self.visit.pk]))
            except ValidationError as exc:
                for field, msgs in exc.message_dict.items():
                    errors.setdefault(field, []).extend(msgs)
        return self.render_to_response(
            self.get_context_data(errors=errors, dimensions_text=dims_text, targets_text=targets_text)
        )


class ObservationRateView(_VisitPage):
    """The rater's phone page: the route with this rater's totals, the visit ranking below."""

    permission_required = ("supervision.view_observationvisit",)
    template_name = "supervision/observation_rate.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["route"] = scoring.rater_sheet(user=self.request.user, visit=self.visit)
        ctx["ranking"] = scoring.observation_visit_ranking(user=self.request.user, visit=self.visit)
        ctx["max_total"] = scoring.max_total(self.visit)
        ctx["can_score"] = self.request.user.has_perm("supervision.add_observationscore")
        ctx["can_manage"] = self.request.user.has_perm("supervision.change_observationvisit")
        return ctx


class ObservationRateTargetView(_VisitPage):
    """One target's sheet on a phone: one large number input per dimension."""

    permission_required = ("supervision.add_observationscore",)
    template_name = "supervision/observation_rate_target.html"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            self.target = get_visible_or_404(Organization, request.user, pk=kwargs["org"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        mine = ObservationRating.objects.filter(visit=self.visit, target=self.target, rater=self.request.user).first()
        values = kwargs.get("values") or (mine.points if mine else {})
        errors = dict(kwargs.get("errors", {}))
        general = [*errors.pop("__all__", []), *errors.pop("target", [])]
        ctx.update(
            findings=observation_findings.findings_for(user=self.request.user, visit=self.visit, target=self.target),
            can_find=self.request.user.has_perm("supervision.add_observationfinding"),
            finding=kwargs.get("finding", {}),
            finding_errors=kwargs.get("finding_errors", {}),
            severities=Severity.choices,
            general_errors=general,
            target=self.target,
            rows=[{"dim": d, "value": values.get(str(d.pk), "")} for d in ctx["dimensions"]],
            comment=kwargs.get("comment", mine.comment if mine else ""),
            errors=errors,
        )
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        dims = list(self.visit.dimensions.all())
        raw = {str(d.pk): request.POST.get(f"dim_{d.pk}", "").strip() for d in dims}
        points: dict[int, Decimal] = {}
        errors: dict[str, list[str]] = {}
        for d in dims:
            value = raw[str(d.pk)]
            if value == "":
                continue
            try:
                points[d.pk] = Decimal(value)
            except InvalidOperation:
                errors[f"dim_{d.pk}"] = [_("「%(name)s」请填写数字。") % {"name": d.name}]
        comment = request.POST.get("comment", "")
        if not errors:
            try:
                scoring.observation_rating_set(
                    acting_user=request.user, visit=self.visit, target=self.target, points=points, comment=comment
                )
                messages.success(request, _("「%(name)s」评分已保存。") % {"name": self.target.name})
                return HttpResponseRedirect(reverse("supervision:observation_rate", args=[self.visit.pk]))
            except ValidationError as exc:
                errors = exc.message_dict
        return self.render_to_response(self.get_context_data(values=raw, comment=comment, errors=errors))


class ObservationFindingCreateView(ObservationRateTargetView):
    """POST a problem found at the target on the spot: it becomes a problem item with its rectification."""

    permission_required = ("supervision.add_observationfinding",)

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(reverse("supervision:observation_rate_target", args=[self.visit.pk,
                                                                                        self.target.pk]))  # fmt: skip

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        import datetime

        data = {k: request.POST.get(k, "").strip() for k in ("category", "description", "severity", "rectify_by")}
        errors: dict[str, list[str]] = {}
        rectify_by = None
        if data["rectify_by"]:
            try:
                rectify_by = datetime.date.fromisoformat(data["rectify_by"])
            except ValueError:
                errors["rectify_by"] = [_("整改期限：请填写有效日期（如2026-12-31）。")]
        if not errors:
            try:
                observation_findings.observation_finding_create(
                    acting_user=request.user, visit=self.visit, target=self.target, category=data["category"],
                    description=data["description"], severity=data["severity"] or "minor", rectify_by=rectify_by,
                )  # fmt: skip
                messages.success(request, _("问题已记录，并已生成整改通知。"))
                return HttpResponseRedirect(
                    reverse("supervision:observation_rate_target", args=[self.visit.pk, self.target.pk])
                )
            except ValidationError as exc:
                errors = exc.message_dict
        return self.render_to_response(self.get_context_data(finding=data, finding_errors=errors))
