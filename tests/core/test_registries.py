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


def test_params_are_registered_only_from_params_py_in_ready():
    """One registration mechanism (issue #8): every app keeps its parameters in <app>/params.py and registers them
    in AppConfig.ready(); no module registers a parameter as an import side effect."""
    import ast
    from pathlib import Path

    from django.apps import apps as django_apps

    from apps.core.params import DEFAULTS

    root = Path(__file__).resolve().parents[2] / "apps"
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or path.parts[-2:] == ("core", "params.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            call = node.value if isinstance(node, ast.Expr) else None
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id in ("register", "register_params")
                and call.args
                and not isinstance(call.args[0], ast.Name)  # register_params(params.PARAMS) belongs in ready()
            ):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
            if (
                isinstance(node, ast.ImportFrom)
                and node.module == "apps.core.params"
                and any(alias.name == "register" for alias in node.names)
            ):
                offenders.append(f"{path.relative_to(root)}:{node.lineno} imports register")
    assert offenders == []
    for config in django_apps.get_app_configs():
        if (
            config.name.startswith("apps.")
            and config.name != "apps.core"
            and (Path(config.path) / "params.py").exists()
        ):
            import importlib

            for key, default, _desc in importlib.import_module(f"{config.name}.params").PARAMS:
                assert DEFAULTS[key][0] == default, key
