"""Pages of the expense review workflow: the queue of expenses waiting for the user's review, the review
form (approve / return with a reason) on the expense page, and correcting a returned expense."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from apps.core.scoping import get_visible_or_404
from apps.core.views import ServiceFormView

from . import services
from .forms import ExpenseResubmitForm, ReviewForm
from .models import Expense
from .reviews import REVIEW_PERM, review_refusal, reviewable

QUEUE_ROWS = 200


class ReviewQueueView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Expenses of the organizations below waiting for this user's review, oldest first (bounded)."""

    permission_required = REVIEW_PERM
    raise_exception = True

    def get(self, request: Any) -> HttpResponse:
        qs = reviewable(user=request.user).select_related("organization", "allocation").order_by("created_at", "id")
        rows = list(qs[: QUEUE_ROWS + 1])
        return render(
            request,
            "funding/review_queue.html",
            {"rows": rows[:QUEUE_ROWS], "more": len(rows) > QUEUE_ROWS, "form": ReviewForm()},
        )


class ExpenseReviewView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST: approve (``approve``) or return (``return`` + ``comment``) one submitted expense."""

    permission_required = REVIEW_PERM
    raise_exception = True

    def post(self, request: Any, pk: int) -> HttpResponse:
        expense = get_visible_or_404(Expense.objects.select_related("organization"), request.user, pk=pk)
        form = ReviewForm(request.POST)
        form.is_valid()
        approve = "approve" in request.POST
        try:
            services.expense_review(
                acting_user=request.user, expense=expense, approve=approve, comment=form.cleaned_data.get("comment", "")
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您不能审核这笔支出。"))
        else:
            messages.success(request, _("已审核通过，支出入账。") if approve else _("已退回，并通知了经办单位。"))
        return HttpResponseRedirect((request.POST.get("next_queue") and _queue_url()) or expense.get_absolute_url())


def _queue_url() -> str:
    from django.urls import reverse

    return reverse("funding:review_queue")


class ExpenseResubmitView(ServiceFormView):
    """Correct a returned expense and submit it for review again."""

    model = Expense
    object_model = Expense
    permission_required = "funding.add_expense"
    form_class = ExpenseResubmitForm
    template_name = "funding/form.html"
    title = gettext_lazy("修改后重新提交")
    success_message = gettext_lazy("已重新提交，等待上级审核。")

    def get_initial(self) -> dict[str, Any]:
        fields = ("spent_on", "category", "amount", "payee", "purpose", "approved_by")
        return {f: getattr(self.object, f) for f in fields}

    def run_service(self, form: Any) -> Any:
        return services.expense_resubmit(acting_user=self.request.user, expense=self.object, **form.cleaned_data)


def review_context(user: Any, expense: Expense) -> dict[str, Any]:
    """What the expense page shows of the workflow: the trail, and the review form when the user may review."""
    trail = list(expense.reviews.select_related("actor", "actor_org").order_by("id"))
    can_review = expense.status == "submitted" and not review_refusal(user, expense)
    return {"trail": trail, "can_review": can_review, "review_form": ReviewForm() if can_review else None}
