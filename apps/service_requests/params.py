"""The service_requests app's rule parameters (defaults; overrides in the Parameter table), registered in ready()."""

PARAMS = [
    ("service_attachment_types", "pdf,jpg,jpeg,png,doc,docx,xls,xlsx,wps", "为民服务佐证材料允许的文件类型"),
    ("service_attachment_max_mb", "10", "为民服务佐证材料大小上限（MB）"),
    ("service_duplicate_days", "7", "同一电话同一类别在多少天内再次登记时提示疑似重复"),
]
