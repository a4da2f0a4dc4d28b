# Inboxes are personal (no permission needed); delivery status is for the staff roles, who get
# notifications.* from the base roles already.
ROLE_PERMISSIONS: dict[str, list[str]] = {}
