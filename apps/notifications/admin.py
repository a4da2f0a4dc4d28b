from typing import Any

from django.contrib import admin

from apps.core.admin import ScopedAdminMixin

from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("notice", "channel", "address", "status", "attempts", "sent_at", "last_error")
    exclude = ("secret",)
    list_filter = ("channel", "status")
    raw_id_fields = ("notice",)
    show_full_result_count = False
    actions = ["retry"]

    @admin.action(description="重新发送")
    def retry(self, request: Any, queryset: Any) -> None:
        from django.contrib import messages
        from django.core.exceptions import ValidationError

        from .services import delivery_retry

        for d in queryset:
            try:
                delivery_retry(acting_user=request.user, delivery=d)
            except ValidationError as exc:
                messages.error(request, f"{d}：{'；'.join(exc.messages)}")
