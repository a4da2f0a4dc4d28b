"""How audit events read to people: ``monthlyledger.submit`` → "提交了月度台账".

The event code stays internal (it is what services write and what tests look for); pages show a sentence
built from this registry. Apps add their own events in ``AppConfig.ready()``::

    register_event_labels({"allocation.approve": _("审批通过了经费下拨")})

An event not registered still reads as Chinese: a verb from ``VERBS`` (by the code's last part) and the
model's verbose name, e.g. ``budget.update`` → "修改了预算".
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

# Generic verbs by the event's last part (used when an event has no registered label).
VERBS: dict[str, Any] = {
    "create": _("新增了"),
    "update": _("修改了"),
    "delete": _("删除了"),
    "submit": _("提交了"),
    "approve": _("审核通过了"),
    "return": _("退回了"),
    "reject": _("驳回了"),
    "revoke": _("撤回了"),
    "cancel": _("撤销了"),
    "close": _("办结了"),
    "answer": _("答复了"),
    "read": _("阅读了"),
    "import": _("导入了"),
    "export": _("导出了"),
    "view_pii": _("查看了完整个人信息："),
    "progress": _("报告了进展："),
    "set": _("设置了"),
    "decide": _("作出了处理决定："),
    "assign": _("分派了"),
    "accept": _("受理了"),
    "publish": _("发布了"),
}

_LABELS: dict[str, Any] = {
    # core: the work calendar (工作日历)
    "workcalendarday.create": _("登记了工作日历的放假或调休"),
    "workcalendarday.update": _("修改了工作日历的放假或调休"),
    "workcalendarday.delete": _("删除了工作日历的放假或调休"),
    # core: background exports
    "exportjob.create": _("提交了后台导出"),
    "exportjob.download": _("下载了导出文件"),
    # organizations, accounts
    "organization.create": _("新建了党组织"),
    "organization.update": _("修改了党组织信息"),
    "organization.move": _("调整了党组织的上级"),
    "organization.dissolve": _("撤销了党组织"),
    "organization.delete": _("删除了党组织"),
    "user.create": _("新建了用户"),
    # members
    "member.create": _("新增了党员"),
    "member.update": _("修改了党员信息"),
    "member.delete": _("删除了党员"),
    "member.status": _("变更了党员状态"),
    "member.view_pii": _("查看了党员完整身份证号"),
    "member.export_full_pii": _("导出了含完整身份证号的花名册"),
    "member.import": _("导入了党员花名册"),
    "member.transfer_in": _("转入了党员"),
    "member.transfer_out": _("转出了党员"),
    "recruitment.create": _("登记了发展对象"),
    "recruitment.update": _("修改了发展党员记录"),
    "recruitment.advance": _("推进了发展阶段"),
    "recruitment.extend": _("延长了预备期"),
    "recruitment.stop": _("终止了发展程序"),
    "recruitment.document": _("上传了发展材料"),
    "transfer.request": _("申请了组织关系转接"),
    "transfer.approve": _("审批通过了组织关系转接"),
    "transfer.receive": _("接收了组织关系"),
    "transfer.return": _("退回了组织关系转接"),
    "transfer.cancel": _("撤销了组织关系转接"),
    # responsibility
    "taskitem.create": _("新建了任务"),
    "taskitem.update": _("修改了任务"),
    "taskitem.progress": _("报告了任务进展"),
    "taskitem.delete": _("删除了任务"),
    "problemitem.create": _("登记了问题"),
    "problemitem.update": _("修改了问题"),
    "dutyitem.create": _("新建了责任事项"),
    "dutyitem.update": _("修改了责任事项"),
    "rectification.create": _("建立了整改台账"),
    "rectification.update": _("修改了整改台账"),
    "rectification.progress": _("报告了整改进展"),
    "rectification.complete": _("申请了整改销号"),
    "rectification.signoff": _("同意了整改销号"),
    "rectification.signoff_refused": _("不同意整改销号"),
    "rectification.reopen": _("回头看后重新打开了整改"),
    "rectification.recheck": _("完成了整改回头看"),
    "issuance.create": _("下发了清单"),
    "issuance.revoke": _("撤回了清单下发"),
    "monthlyledger.create": _("建立了月度台账"),
    "monthlyledger.update": _("修改了月度台账"),
    "monthlyledger.submit": _("提交了月度台账"),
    "monthlyledger.approve": _("审核通过了月度台账"),
    "monthlyledger.return": _("退回了月度台账"),
    "meeting.create": _("登记了会议"),
    "meeting.update": _("修改了会议记录"),
    "meeting.delete": _("删除了会议记录"),
    "meetingattachment.create": _("上传了会议附件"),
    "meetingattachment.delete": _("删除了会议附件"),
    # supervision
    "letter.create": _("发出了函件"),
    "letter.issue_monthly": _("按月发出了函件"),
    "letter.read": _("阅读了函件"),
    "letter.answer": _("答复了函件"),
    "letter.close": _("办结了函件"),
    "inspectionplan.create": _("制定了督查计划"),
    "inspectionrecord.update": _("填写了督查记录"),
    "finding.create": _("登记了督查发现的问题"),
    "observationvisit.create": _("组织了观摩"),
    "observationscore.set": _("打出了观摩评分"),
    "accountability.create": _("启动了问责"),
    "accountability.decide": _("作出了问责决定"),
    # notifications
    "delivery.retry": _("重新发送了通知"),
}


def register_event_labels(labels: dict[str, Any]) -> None:
    """Add (or override) how events read; call from an app's ``ready()``."""
    _LABELS.update(labels)


def event_label(event: str, model_name: Any = "") -> str:
    """The verb phrase for an event code: the registered label, else a generic verb + the model's name."""
    if event in _LABELS:
        return str(_LABELS[event])
    verb = event.rsplit(".", 1)[-1]
    return f"{VERBS.get(verb, _('处理了'))}{model_name}"
