from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.text import is_digits
from apps.core.views import ListExportMixin, ScopedDetailView, ScopedListView, ServiceFormView, field_columns

from . import selectors, services
from .filters import OrganizationPageFilterSet
from .forms import OrganizationCreateForm, OrganizationDissolveForm, OrganizationMoveForm, OrganizationUpdateForm
from .models import Organization


class OrganizationTreeView(ScopedListView):
    """Tree browser: the user's top organization, children loaded on expand; search by name or code."""

    model = Organization
    template_name = "organizations/organization_tree.html"
    paginate_by = None

    def get_queryset(self) -> QuerySet:
        q = self.request.GET.get("q", "")
        if q.strip():
            return selectors.organization_search(user=self.request.user, q=q)
        return selectors.organization_roots_for(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["q"] = self.request.GET.get("q", "")
        roots = list(ctx["object_list"])
        if not ctx["q"].strip() and len(roots) == 1:
            # Open the user's own organization one level by default.
            ctx["open_children"] = selectors.organization_children(user=self.request.user, parent=roots[0])
        return ctx


class OrganizationChildrenView(ScopedListView):
    """The children of one node, as tree rows (htmx partial)."""

    model = Organization
    template_name = "organizations/_tree_children.html"
    paginate_by = None

    def get_queryset(self) -> QuerySet:
        self.parent = selectors.get_visible_or_404(self.request.user, self.kwargs["pk"])
        return selectors.organization_children(user=self.request.user, parent=self.parent)


class OrganizationListView(ListExportMixin, ScopedListView):
    model = Organization
    template_name = "organizations/organization_list.html"
    filterset_class = OrganizationPageFilterSet
    export_filename = _("党组织")
    export_columns = field_columns(
        Organization,
        [
            "name", "code", "kind", "sector", "parent__name", "secretary_name", "established_on", "term_due_on",
            "star_rating", "grade", "is_weak", "is_demonstration", "descendant_count", "is_active",
        ],
    )  # fmt: skip

    def get_export_queryset(self) -> QuerySet:
        return self.get_queryset().defer(None).select_related("parent")

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        # Level by level, then by name: what people scan for (path order would sort ids as strings).
        return (
            qs.order_by("depth", "name", "id")
            .select_related("parent")
            .only(
                "id",
                "name",
                "code",
                "kind",
                "sector",
                "grade",
                "star_rating",
                "term_due_on",
                "is_active",
                "is_weak",
                "descendant_count",
                "path",
                "depth",
                "parent__name",
                "parent__id",
            )
        )


class OrganizationDetailView(ScopedDetailView):
    model = Organization
    template_name = "organizations/organization_detail.html"

    def optimize_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("parent")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["children"] = selectors.organization_children(user=user, parent=self.object)[:200]
        ctx["ancestors"] = selectors.visible_ancestors(user=user, org=self.object)
        ctx["flags"] = selectors.flags_for(self.object)
        return ctx


class _OrgFormView(ServiceFormView):
    model = Organization
    template_name = "organizations/organization_form.html"

    def list_url(self) -> str:
        return reverse("organizations:organization_tree")


class _ObjectFormView(_OrgFormView):
    object_model = Organization


class OrganizationCreateView(_OrgFormView):
    permission_required = ("organizations.add_organization",)
    form_class = OrganizationCreateForm
    title = _("新建党组织")
    success_message = _("已新建。")
    pass_user = True

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if "parent" in self.request.GET:
            kwargs["initial"] = {"parent": self.request.GET["parent"]}
        return kwargs

    def run_service(self, form: Any) -> Organization:
        data = dict(form.cleaned_data)
        parent = data.pop("parent")
        return services.organization_create(acting_user=self.request.user, parent=parent, **data)


class OrganizationUpdateView(_ObjectFormView):
    permission_required = ("organizations.change_organization",)
    form_class = OrganizationUpdateForm
    title = _("编辑党组织")
    pass_user = True

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Organization.objects.get(pk=self.object.pk)
        return kwargs

    def run_service(self, form: Any) -> Organization:
        return services.organization_update(
            acting_user=self.request.user, organization=self.object, **form.cleaned_data
        )


class OrganizationMoveView(_ObjectFormView):
    permission_required = ("organizations.change_organization",)
    form_class = OrganizationMoveForm
    title = _("调整上级党组织")
    success_message = _("已调整上级党组织。")
    pass_user = True

    def run_service(self, form: Any) -> Organization:
        return services.organization_move(
            acting_user=self.request.user, organization=self.object, new_parent=form.cleaned_data["parent"]
        )


class OrganizationDissolveView(_ObjectFormView):
    permission_required = ("organizations.change_organization",)
    form_class = OrganizationDissolveForm
    title = _("撤销党组织")
    success_message = _("已撤销。")

    def run_service(self, form: Any) -> Organization:
        return services.organization_dissolve(
            acting_user=self.request.user, organization=self.object, **form.cleaned_data
        )


class OrganizationDeleteView(_ObjectFormView):
    permission_required = ("organizations.delete_organization",)
    template_name = "organizations/organization_confirm_delete.html"
    success_message = _("已删除。")

    def get_form_class(self) -> Any:
        from django import forms

        return forms.Form

    def run_service(self, form: Any) -> None:
        services.organization_delete(acting_user=self.request.user, organization=self.object)
        return None


def organization_picker(request: Any) -> HttpResponse:
    """The picker's tree, one level at a time, as JSON: ``?parent=<id>`` (none: the user's top) and
    ``&offset=`` for the next page of a large level. Scoped: an out-of-scope parent is a 404."""
    from django.http import JsonResponse

    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("请先登录。")}, status=401)
    raw_parent, raw_offset = request.GET.get("parent", ""), request.GET.get("offset", "0")
    if not (raw_parent == "" or (is_digits(raw_parent) and len(raw_parent) < 16)) or not (
        is_digits(raw_offset) and int(raw_offset) <= 1_000_000
    ):
        return JsonResponse({"detail": _("参数有误。")}, status=400)
    data = selectors.picker_nodes(
        user=request.user, parent_id=int(raw_parent) if raw_parent else None, offset=int(raw_offset)
    )
    if not data.pop("found"):
        return JsonResponse({"detail": _("找不到该党组织，或不在您的管理范围内。")}, status=404)
    return JsonResponse(data)


def organization_lookup(request: Any) -> HttpResponse:
    """Typeahead suggestions for the organization picker (scoped, at most 20)."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    results = selectors.organization_search(user=request.user, q=request.GET.get("q", ""), limit=20)
    if request.GET.get("format") == "json":
        from django.http import JsonResponse

        rows = [
            {
                "id": o.pk,
                "code": o.code,
                "name": o.name,
                "parent": o.parent.name if o.parent_id else "",
                "kind": o.kind_label,
            }
            for o in results
        ]
        return JsonResponse({"results": rows})
    return render(request, "organizations/_lookup_options.html", {"results": results})
