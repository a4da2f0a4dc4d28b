from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer


class TokenRequestSerializer(AuthTokenSerializer):
    username = serializers.CharField(label=_("用户名"), max_length=150, write_only=True)
    password = serializers.CharField(
        label=_("密码"), style={"input_type": "password"}, trim_whitespace=False, max_length=128, write_only=True
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="在请求头中使用：Authorization: Token <token>")
