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


class NoticeQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, help_text="只列未读通知（true/false）")


class NoticesMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="本次标为已读的通知数")
