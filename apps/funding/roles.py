"""Extra permissions per role; org_staff / committee_staff already hold every funding permission."""

ROLE_PERMISSIONS = {
    "branch_secretary": [
        "funding.view_allocation",
        "funding.view_allocationnotice",
        "funding.view_fundingstandard",
        "funding.view_expense",
        "funding.add_expense",
        "funding.view_expensevoucher",
        "funding.add_expensevoucher",
        "funding.view_fundingrollup",
    ],
}
