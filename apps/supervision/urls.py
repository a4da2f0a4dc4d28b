from django.urls import path

from . import observation_views, settings_views, views

app_name = "supervision"
urlpatterns = [
    path("", views.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/new/", views.InspectionCreateView.as_view(), name="inspection_create"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("records/<int:pk>/", views.RecordDetailView.as_view(), name="record_detail"),
    path("observations/", views.ObservationListView.as_view(), name="observation_list"),
    path("observations/new/", views.ObservationCreateView.as_view(), name="observation_create"),
    path("observations/<int:pk>/", views.ObservationDetailView.as_view(), name="observation_detail"),
    path("observations/<int:pk>/sheet/", observation_views.ObservationSheetView.as_view(), name="observation_sheet"),
    path("observations/<int:pk>/rate/", observation_views.ObservationRateView.as_view(), name="observation_rate"),
    path(
        "observations/<int:pk>/rate/<int:org>/",
        observation_views.ObservationRateTargetView.as_view(),
        name="observation_rate_target",
    ),
    path(
        "observations/<int:pk>/rate/<int:org>/finding/",
        observation_views.ObservationFindingCreateView.as_view(),
        name="observation_finding_create",
    ),
    path("letters/", views.LetterListView.as_view(), name="letter_list"),
    path("letters/new/", views.LetterCreateView.as_view(), name="letter_create"),
    path("letters/<int:pk>/", views.LetterDetailView.as_view(), name="letter_detail"),
    path("letters/<int:pk>/print/", views.LetterPrintView.as_view(), name="letter_print"),
    path("letters/<int:pk>/answer/", views.LetterAnswerView.as_view(), name="letter_answer"),
    path("letters/attachments/<int:pk>/", views.LetterAttachmentDownloadView.as_view(), name="letter_attachment"),
    path("letters/<int:pk>/close/", views.LetterCloseView.as_view(), name="letter_close"),
    path("letters/<int:pk>/accountability/", views.LetterAccountabilityView.as_view(), name="letter_accountability"),
    path("accountability/", views.AccountabilityListView.as_view(), name="accountability_list"),
    path("accountability/<int:pk>/", views.AccountabilityDetailView.as_view(), name="accountability_detail"),
    path("bulletin/", views.BulletinView.as_view(), name="bulletin"),
    path("settings/letter-rule/", settings_views.LetterRuleSettingsView.as_view(), name="letter_rule_settings"),
    path(
        "settings/letter-templates/",
        settings_views.LetterTemplateSettingsView.as_view(),
        name="letter_template_settings",
    ),
    path(
        "settings/letter-templates/<str:kind>/",
        settings_views.LetterTemplateSettingsView.as_view(),
        name="letter_template_settings_kind",
    ),
]
