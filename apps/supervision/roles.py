ROLE_PERMISSIONS = {
    "branch_secretary": [
        "supervision.view_letter",
        "supervision.view_letteritem",
        "supervision.view_letterattachment",
        "supervision.answer_letter",
        "supervision.view_inspectionrecord",
        "supervision.view_finding",
        "supervision.view_observationfinding",
        "supervision.view_accountability",
    ],
    # inspectors record what they find straight into the problem list
    "inspector": ["supervision.*", "responsibility.add_problemitem", "responsibility.add_rectification"],
}
