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
    ("appraisal_excellent_cap", "1/3", "民主评议党员：评为优秀的党员占参评党员的比例上限（如 1/3）"),
    ("activist_review_months", "6", "入党积极分子培养考察：每隔多少个月须有一次考察记录（0 为不检查）"),
    ("lost_contact_months", "6", "失去联系、未参加组织生活、未交纳党费满多少个月列入失联党员审查"),
    ("lost_contact_removal_years", "2", "停止党籍后仍无联系满多少年列入除名审查"),
    ("dues_round_to", "0.01", "党费金额保留到（0.01 为分，0.1 为角），四舍五入"),
    ("dues_arrears_months", "6", "连续多少个月未交纳党费（且无记录的原因）列为待办，提醒支部谈话"),
    ("mobile_transfer_months", "6", "流动党员在固定地点满多少个月，提示办理组织关系转接"),
    ("member_import_stale_minutes", "60", "党员导入：处理超过此分钟数仍未结束的任务视为进程已终止，标记为失败"),
]
