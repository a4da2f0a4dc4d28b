"""The accounts app's parameters (defaults; overrides in the Parameter table), registered in ready()."""

PARAMS = [
    ("password_sms_per_user_hour", "3", "账号：同一账号每小时最多发送几次密码短信"),
    ("password_sms_per_actor_hour", "2000", "账号：同一管理员每小时最多发送多少条密码短信（含批量开通）"),
]
