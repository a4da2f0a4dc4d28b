from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.OrganizationTreeView.as_view(), name="organization_tree"),
    path("list/", views.OrganizationListView.as_view(), name="organization_list"),
    path("lookup/", views.organization_lookup, name="organization_lookup"),
    path("picker/", views.organization_picker, name="organization_picker"),
    path("new/", views.OrganizationCreateView.as_view(), name="organization_create"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("<int:pk>/children/", views.OrganizationChildrenView.as_view(), name="organization_children"),
    path("<int:pk>/edit/", views.OrganizationUpdateView.as_view(), name="organization_update"),
    path("<int:pk>/move/", views.OrganizationMoveView.as_view(), name="organization_move"),
    path("<int:pk>/dissolve/", views.OrganizationDissolveView.as_view(), name="organization_dissolve"),
    path("<int:pk>/delete/", views.OrganizationDeleteView.as_view(), name="organization_delete"),
]
