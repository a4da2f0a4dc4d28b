"""The responsibility app's rule parameters (defaults; overrides in the Parameter table), registered in ready()."""

PARAMS = [
    ("ledger_due_day", "5", "月度台账提交截止日：次月几日"),
    ("ledger_attachment_max_mb", "10", "月度台账会议附件大小上限（MB）"),
    (
        "ledger_attachment_types",
        "pdf,jpg,jpeg,png,doc,docx,xls,xlsx,wps",
        "月度台账会议附件允许的文件类型（扩展名，逗号分隔）",
    ),
    ("life_day_remind_days", "1", "组织生活日：提前几天提醒各支部（0 为不提醒）"),
]
