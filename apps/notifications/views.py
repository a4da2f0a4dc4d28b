from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import View

from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedListView, ScopedQuerysetMixin

from . import services
from .models import Delivery, Notice


class NoticeListView(ScopedListView):
    """The user's own inbox (everyone has one, so no model permission is required)."""

    model = Notice
    permission_required = ()
    template_name = "notifications/notice_list.html"
    paginate_by = 30

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset()
        if self.request.GET.get("unread"):
            qs = qs.unread()
        return qs.only("id", "title", "body", "link", "category", "created_at", "read_at")


class NoticeReadView(ScopedQuerysetMixin, View):
    """POST: mark one notice read, then follow its link."""

    model = Notice
    permission_required = ()

    def post(self, request: Any, pk: int) -> HttpResponse:
        notice = get_visible_or_404(Notice, request.user, pk=pk)
        services.notice_mark_read(user=request.user, notice=notice)
        target = notice.link if request.POST.get("follow") and notice.link else reverse("notifications:notice_list")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("notifications:notice_list")
        return HttpResponseRedirect(target)


class NoticeReadAllView(ScopedQuerysetMixin, View):
    model = Notice
    permission_required = ()

    def post(self, request: Any) -> HttpResponse:
        n = services.notices_mark_all_read(user=request.user)
        messages.success(request, _("已将 %(n)s 条通知标记为已读。") % {"n": n})
        return HttpResponseRedirect(reverse("notifications:notice_list"))


class DeliveryListView(ScopedListView):
    """Admin page: what was sent to whom on which channel, and what failed."""

    model = Delivery
    template_name = "notifications/delivery_list.html"

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset().select_related("notice", "notice__recipient")
        status = self.request.GET.get("status")
        if status:
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["statuses"] = Delivery._meta.get_field("status").choices
        ctx["current_status"] = self.request.GET.get("status", "")
        return ctx


class DeliveryRetryView(ScopedQuerysetMixin, View):
    model = Delivery
    permission_required = ("notifications.change_delivery",)

    def post(self, request: Any, pk: int) -> HttpResponse:
        delivery = get_visible_or_404(Delivery, request.user, pk=pk)
        try:
            services.delivery_retry(acting_user=request.user, delivery=delivery)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已重新加入发送队列。"))
        return HttpResponseRedirect(reverse("notifications:delivery_list"))
