"""The notifications app's parameters (defaults; overrides in the Parameter table), registered in ready()."""

PARAMS = [
    (
        "notice_email_categories",
        "letter,term_due,probation_due,ledger_due,transfer_expiring",
        "通知：发送电子邮件的类别（逗号分隔，留空不发邮件）",
    ),
    ("notice_sms_categories", "letter,political_birthday", "通知：发送短信的类别（逗号分隔，留空不发短信）"),
    ("notice_max_attempts", "5", "通知：邮件/短信发送失败后最多尝试次数"),
]
