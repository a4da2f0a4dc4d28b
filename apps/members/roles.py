"""Extra permissions per role: branch secretaries read their branch's roster and edit contact details only."""

ROLE_PERMISSIONS = {
    "branch_secretary": [
        "members.view_member",
        "members.change_member_contact",
        "members.view_recruitment",
        "members.view_transfer",
    ],
}
