"""Pages of the members' yearly cycle, one module per workflow (dues, appraisal, points, contact, mobility)."""
