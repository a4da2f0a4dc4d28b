from django.urls import path

from . import views, views_expenses, views_review, views_summary

app_name = "funding"

urlpatterns = [
    path("", views.ExecutionView.as_view(), name="execution"),
    path("standards/", views.StandardListView.as_view(), name="standard_list"),
    path("standards/new/", views.StandardCreateView.as_view(), name="standard_create"),
    path("standards/copy/", views.StandardCopyView.as_view(), name="standard_copy"),
    path("standards/<int:pk>/", views.StandardDetailView.as_view(), name="standard_detail"),
    path("standards/<int:pk>/edit/", views.StandardUpdateView.as_view(), name="standard_update"),
    path("budgets/", views.BudgetListView.as_view(), name="budget_list"),
    path("budgets/new/", views.BudgetSetView.as_view(), name="budget_set"),
    path("allocations/", views.AllocationListView.as_view(), name="allocation_list"),
    path("allocations/allocate/", views.AllocationPreviewView.as_view(), name="allocation_preview"),
    path("allocations/new/", views.AllocationCreateView.as_view(), name="allocation_create"),
    path("allocations/<int:pk>/", views.AllocationDetailView.as_view(), name="allocation_detail"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path("expenses/", views_expenses.ExpenseListView.as_view(), name="expense_list"),
    path("expenses/new/", views_expenses.ExpenseCreateView.as_view(), name="expense_create"),
    path("expenses/<int:pk>/", views_expenses.ExpenseDetailView.as_view(), name="expense_detail"),
    path("expenses/<int:pk>/reverse/", views_expenses.ExpenseReverseView.as_view(), name="expense_reverse"),
    path("expenses/<int:pk>/vouchers/", views_expenses.VoucherUploadView.as_view(), name="voucher_upload"),
    path("summary/", views_summary.LevelSummaryView.as_view(), name="level_summary"),
    path("reviews/", views_review.ReviewQueueView.as_view(), name="review_queue"),
    path("expenses/<int:pk>/review/", views_review.ExpenseReviewView.as_view(), name="expense_review"),
    path("expenses/<int:pk>/resubmit/", views_review.ExpenseResubmitView.as_view(), name="expense_resubmit"),
    path("vouchers/<int:pk>/", views_expenses.VoucherDownloadView.as_view(), name="voucher_download"),
]
