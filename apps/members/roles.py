"""Extra permissions per role: branch secretaries read their branch's roster and edit contact details only."""

ROLE_PERMISSIONS = {
    "branch_secretary": [
        "members.view_member",
        "members.change_member_contact",
        "members.view_recruitment",
        "members.view_transfer",
        # the yearly cycle: the branch keeps its own dues, appraisal, points, contact and mobility records
        "members.view_duesbase",
        "members.add_duesbase",
        "members.change_duesbase",
        "members.view_duespayment",
        "members.add_duespayment",
        "members.change_duespayment",
        "members.delete_duespayment",
        "members.view_duesarrearsnote",
        "members.add_duesarrearsnote",
        "members.view_duesmonthstats",
        "members.view_dueshandover",
    ],
}
