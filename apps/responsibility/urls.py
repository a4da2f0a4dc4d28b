from django.urls import path

from .views import issuance, items, ledgers, meetings, rollup
from .views import rectifications as rect

app_name = "responsibility"

urlpatterns = [
    path("", items.TaskItemListView.as_view(), name="item_list"),
    path("tasks/new/", items.TaskItemCreateView.as_view(), name="task_create"),
    path("tasks/<int:pk>/", items.TaskItemDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/edit/", items.TaskItemUpdateView.as_view(), name="task_update"),
    path("tasks/<int:pk>/progress/", items.TaskItemProgressView.as_view(), name="task_progress"),
    path("problems/", items.ProblemItemListView.as_view(), name="problem_list"),
    path("problems/new/", items.ProblemItemCreateView.as_view(), name="problem_create"),
    path("problems/<int:pk>/", items.ProblemItemDetailView.as_view(), name="problem_detail"),
    path("duties/", items.DutyItemListView.as_view(), name="duty_list"),
    path("duties/new/", items.DutyItemCreateView.as_view(), name="duty_create"),
    path("duties/<int:pk>/", items.DutyItemDetailView.as_view(), name="duty_detail"),
    path("duties/<int:pk>/edit/", items.DutyItemUpdateView.as_view(), name="duty_update"),
    path("issuances/", issuance.IssuanceListView.as_view(), name="issuance_list"),
    path("issuances/new/", issuance.IssuanceCreateView.as_view(), name="issuance_create"),
    path("issuances/<int:pk>/", issuance.IssuanceDetailView.as_view(), name="issuance_detail"),
    path("import/<str:item_type>/", issuance.ItemImportView.as_view(), name="item_import"),
    path("rectifications/", rect.RectificationListView.as_view(), name="rectification_list"),
    path("rectifications/<int:pk>/", rect.RectificationDetailView.as_view(), name="rectification_detail"),
    path("rectifications/<int:pk>/notice/", rect.RectificationNoticeView.as_view(), name="rectification_notice"),
    path("rectifications/<int:pk>/edit/", rect.RectificationUpdateView.as_view(), name="rectification_update"),
    path("rectifications/<int:pk>/progress/", rect.RectificationProgressView.as_view(), name="rectification_progress"),
    path("rectifications/<int:pk>/complete/", rect.RectificationCompleteView.as_view(), name="rectification_complete"),
    path("rectifications/<int:pk>/signoff/", rect.RectificationSignoffView.as_view(), name="rectification_signoff"),
    path("rectifications/<int:pk>/recheck/", rect.RectificationRecheckView.as_view(), name="rectification_recheck"),
    path("ledgers/", ledgers.MonthlyLedgerListView.as_view(), name="ledger_list"),
    path("ledgers/open/", ledgers.LedgerOpenView.as_view(), name="ledger_open"),
    path("ledgers/<int:pk>/", ledgers.MonthlyLedgerDetailView.as_view(), name="ledger_detail"),
    path("ledgers/<int:pk>/edit/", ledgers.LedgerUpdateView.as_view(), name="ledger_update"),
    path("ledgers/<int:pk>/submit/", ledgers.LedgerSubmitView.as_view(), name="ledger_submit"),
    path("ledgers/<int:pk>/review/", ledgers.LedgerReviewView.as_view(), name="ledger_review"),
    path("ledgers/<int:pk>/meetings/new/", meetings.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/edit/", meetings.MeetingUpdateView.as_view(), name="meeting_update"),
    path("meetings/<int:pk>/delete/", meetings.MeetingDeleteView.as_view(), name="meeting_delete"),
    path("meetings/<int:pk>/attachments/", meetings.AttachmentAddView.as_view(), name="attachment_add"),
    path("attachments/<int:pk>/", meetings.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("attachments/<int:pk>/delete/", meetings.AttachmentDeleteView.as_view(), name="attachment_delete"),
    path("branches/<int:pk>/", rollup.BranchStatusView.as_view(), name="branch_status"),
    path("rollup/", rollup.RollupView.as_view(), name="rollup"),
]
