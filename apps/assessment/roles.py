"""Extra permissions per role; org_staff / committee_staff already hold every assessment permission."""

ROLE_PERMISSIONS = {
    "branch_secretary": [
        "assessment.view_assessmentplan",
        "assessment.view_indicator",
        "assessment.view_assessmentresult",
        "assessment.view_itemscore",
        "assessment.view_dutyreport",
        "assessment.add_dutyreport",
        "assessment.change_dutyreport",
        "assessment.view_appeal",
        "assessment.add_appeal",
    ],
}
