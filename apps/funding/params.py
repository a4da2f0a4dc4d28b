"""The funding app's rule parameters (defaults; overrides in the Parameter table), registered in ready()."""

PARAMS = [
    ("funding_voucher_max_mb", "10", "经费支出凭证大小上限（MB）"),
    ("funding_voucher_types", "pdf,jpg,jpeg,png", "经费支出凭证允许的文件类型（扩展名，逗号分隔）"),
    ("funding_notice_prefix", "", "经费下拨通知发文字号前缀（如「江组通」，留空则只写〔年份〕序号）"),
    (
        "funding_checkpoints",
        "06-30:30,09-30:60",
        "经费执行进度检查点（月-日:最低执行率%，逗号分隔；默认6月30日前30%、9月30日前60%）",
    ),
    ("funding_voucher_grace_days", "15", "支出登记后须在多少天内上传凭证"),
    ("funding_year_end_month", "12", "从几月起提示本年度经费尚未用完"),
]
