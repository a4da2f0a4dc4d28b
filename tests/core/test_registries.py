"""Apps fill the core registries in AppConfig.ready(); a roles.py nobody registered fails the system check."""

from apps.core import roles
from apps.core.checks import role_permissions_registered
from apps.core.due_items import reminders, sources
from apps.core.params import DEFAULTS


def test_ready_registers_params_roles_sources_and_reminders():
    assert {"ledger_due_day", "member_import_max_mb", "notice_max_attempts"} <= set(DEFAULTS)
    assert "responsibility.view_monthlyledger" in roles.registered_role_permissions()["branch_secretary"]
    assert {"organizations.term_due", "members.probation_due", "responsibility.ledger"} <= set(sources())
    assert {"term_due", "probation_due", "transfer_expiring", "political_birthday", "ledger_due"} <= set(reminders())


def test_unregistered_role_permissions_fail_the_system_check(monkeypatch):
    assert role_permissions_registered() == []
    monkeypatch.setattr(roles, "_REGISTERED", [])
    errors = role_permissions_registered()
    assert errors and {e.id for e in errors} == {"core.E001"}
    assert any("apps.members.roles.ROLE_PERMISSIONS" in e.msg for e in errors)
