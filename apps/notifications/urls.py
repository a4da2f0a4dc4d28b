from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.NoticeListView.as_view(), name="notice_list"),
    path("<int:pk>/read/", views.NoticeReadView.as_view(), name="notice_read"),
    path("read-all/", views.NoticeReadAllView.as_view(), name="notice_read_all"),
    path("deliveries/", views.DeliveryListView.as_view(), name="delivery_list"),
    path("deliveries/<int:pk>/retry/", views.DeliveryRetryView.as_view(), name="delivery_retry"),
]
