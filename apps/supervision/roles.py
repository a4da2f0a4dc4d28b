ROLE_PERMISSIONS = {
    "branch_secretary": [
        "supervision.view_letter",
        "supervision.view_letteritem",
        "supervision.view_letterattachment",
        "supervision.answer_letter",
        "supervision.view_inspectionrecord",
        "supervision.view_finding",
        "supervision.view_accountability",
    ],
    "inspector": ["supervision.*"],
}
