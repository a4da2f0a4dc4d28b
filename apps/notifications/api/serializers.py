from rest_framework import serializers

from apps.notifications.models import Delivery, Notice


class NoticeSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField()

    class Meta:
        model = Notice
        fields = ["id", "category", "title", "body", "link", "created_at", "read_at", "is_read"]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["id", "notice", "channel", "status", "attempts", "last_error", "created_at", "sent_at"]
