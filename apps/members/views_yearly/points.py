"""积分 and 六色卡 pages: ranking per branch, a member's ledger with a manual entry, card counts per branch."""

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
from django.views.generic import TemplateView

from apps.core.text import is_digits
from apps.core.views import ScopedQuerysetMixin, ServiceFormView
from apps.organizations.forms import StyledFormMixin
from apps.organizations.models import Organization

from .. import cards, points
from ..appraisal_models import CardCount, PointEntry
from ..models import Member
from .common import pick_month, pick_org


class PointsRankingView(ScopedQuerysetMixin, TemplateView):
    model = PointEntry
    template_name = "members/points_ranking.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        org = pick_org(self.request)
        value = self.request.GET.get("year", "")
        year = int(value) if is_digits(value, 4) else timezone.localdate().year
        ctx.update(
            org=org, year=year, ranking=points.points_ranking(user=self.request.user, organization=org, year=year)
        )
        return ctx


class PointForm(StyledFormMixin, forms.Form):
    points = forms.IntegerField(label=gettext_lazy("分值（扣分填负数）"), min_value=-100, max_value=100)
    reason = forms.CharField(label=gettext_lazy("事由"), max_length=200)
    occurred_on = forms.DateField(label=gettext_lazy("日期"), widget=forms.DateInput(), initial=timezone.localdate)


class MemberPointsView(ServiceFormView):
    """A member's ledger for the year, and the branch's manual entry with a reason."""

    model = PointEntry
    object_model = Member
    permission_required = ("members.view_pointentry",)
    template_name = "members/points_member.html"
    form_class = PointForm

    def optimize_object_qs(self, model: Any) -> Any:
        return model.objects.select_related("organization")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        year = timezone.localdate().year
        total, entries = points.member_points(member=self.object, year=year)
        ctx.update(year=year, total=total, entries=entries, card=cards.member_card(member=self.object), title=_("积分"))
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("members.add_pointentry"):
            raise PermissionDenied(_("您的角色没有此项操作的权限。"))
        return super().post(request, *args, **kwargs)

    def run_service(self, form: Any) -> Any:
        points.points_add_manual(acting_user=self.request.user, member=self.object, **form.cleaned_data)
        return None

    def success_url_for(self, result: Any) -> str:
        return reverse("members:points_member", args=[self.object.pk])


class CardCountsView(ScopedQuerysetMixin, TemplateView):
    """Six-colour card counts for the organization and per child, for a month."""

    model = CardCount
    template_name = "members/cards.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        org = pick_org(self.request)
        period = pick_month(self.request)
        children = list(Organization.objects.visible_to(user).filter(parent=org).order_by("code"))
        rows = (
            CardCount.objects.visible_to(user)
            .filter(month=period.first_day, org_path__startswith=org.path)
            .values_list("org_path", "counts")
        )
        buckets: dict[int, list] = {c.pk: [] for c in children}
        level = org.depth + 1  # the child's id in a descendant's path "/root/…/child/…/"
        for path, counts in rows:
            ids = path.strip("/").split("/")
            cid = int(ids[level]) if len(ids) > level else None
            if cid in buckets:
                buckets[cid].append(counts)
        per_child = {cid: cards.sum_counts(lst) for cid, lst in buckets.items()}
        totals = cards.card_counts(user=user, organization=org, period=period)
        ctx.update(
            org=org,
            period=period,
            totals=totals,
            categories=[c for c, _n in totals],
            children=[(c, [per_child[c.pk].get(cat.pk, 0) for cat, _n in totals]) for c in children],
            can_recompute=user.has_perm("members.add_cardcount"),
        )
        return ctx

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("members.add_cardcount"):
            raise PermissionDenied(_("您的角色没有此项操作的权限。"))
        org = pick_org(request)
        period = pick_month(request)
        r = cards.cards_recompute_detail(period=period, root_path=org.path)
        messages.success(
            request,
            _("已重新评定%(p)s六色卡：%(n)d人，其中%(c)d人的六色卡有变化。")
            % {"p": period.label, "n": r["members"], "c": r["changed"]},
        )
        return HttpResponseRedirect(f"{reverse('members:cards')}?org={org.code}&month={period}")
