"""Links from a letter item back to the object it is about (``DueItem.object_ref``: "app_label.model:pk").
No model imports, so models.py can use it."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

_REF_URLS = {
    "organizations.organization": "organizations:organization_detail",
    "responsibility.taskitem": "responsibility:task_detail",
    "responsibility.problemitem": "responsibility:problem_detail",
    "responsibility.rectification": "responsibility:rectification_detail",
    "responsibility.monthlyledger": "responsibility:ledger_detail",
    "members.member": "members:member_detail",
    "members.recruitment": "members:recruitment_detail",
    "members.transfer": "members:transfer_detail",
}


def object_ref_url(ref: str) -> str:
    """ "app.model:pk" -> the object's page, or "" when there is none."""
    if ":" not in ref:
        return ""
    label, pk = ref.split(":", 1)
    name = _REF_URLS.get(label)
    if not name:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""
