"""Extra permissions per role; org_staff / committee_staff already hold every responsibility permission."""

ROLE_PERMISSIONS = {
    "branch_secretary": [
        "responsibility.view_taskitem",
        "responsibility.change_taskitem",
        "responsibility.view_problemitem",
        "responsibility.view_dutyitem",
        "responsibility.view_rectification",
        "responsibility.change_rectification",
        "responsibility.view_rectificationprogress",
        "responsibility.add_rectificationprogress",
        "responsibility.view_monthlyledger",
        "responsibility.add_monthlyledger",
        "responsibility.change_monthlyledger",
        "responsibility.submit_monthlyledger",
        "responsibility.view_meeting",
        "responsibility.add_meeting",
        "responsibility.change_meeting",
        "responsibility.delete_meeting",
        "responsibility.view_meetingattachment",
        "responsibility.add_meetingattachment",
        "responsibility.delete_meetingattachment",
        "responsibility.view_meetingattendance",
        "responsibility.view_meetingrequirement",
        "responsibility.view_orgmonthstats",
    ],
}
