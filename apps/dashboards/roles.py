"""Who sees dashboards and the 党内统计 tables (rows are still limited to the user's subtree)."""

ROLE_PERMISSIONS = {
    role: ["dashboards.view_dashboard"]
    for role in ("leader", "org_staff", "committee_staff", "inspector", "system_admin")
}
