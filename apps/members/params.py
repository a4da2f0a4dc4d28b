"""The members app's rule parameters (defaults; overrides in the Parameter table), registered in ready()."""

PARAMS = [
    ("recruitment_min_age", "18", "发展党员：递交入党申请时的最低年龄（周岁）"),
    ("recruitment_min_training_days", "3", "发展对象集中培训最少天数"),
    ("recruitment_min_training_hours", "24", "发展对象集中培训最少学时（与天数满足其一即可）"),
    ("recruitment_document_max_mb", "20", "发展党员材料单个文件大小上限（MB）"),
    ("recruitment_league_age", "28", "积极分子确定时未满此年龄的共青团员应经团组织推优（提示）"),
    ("transfer_letter_valid_months", "3", "组织关系介绍信有效期（月）"),
    ("transfer_letter_warn_days", "15", "介绍信到期前多少天提示"),
    ("member_import_max_mb", "20", "党员导入：上传文件大小上限（MB）"),
    ("member_import_max_rows", "200000", "党员导入：单个文件数据行数上限"),
    ("member_import_max_unzipped_mb", "300", "党员导入：.xlsx 解压后总大小上限（MB），防止压缩炸弹"),
    ("member_import_async_rows", "3000", "党员导入：超过此行数（按文件大小估算）转后台任务执行"),
]
