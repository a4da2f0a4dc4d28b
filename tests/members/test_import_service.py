import pytest

from apps.members.models import Member
from apps.members.roster_import.write import member_import
from tests.members.import_helpers import make_id, member_row, write_xlsx

pytestmark = pytest.mark.django_db


def _run(user, path, commit=True):
    return member_import(acting_user=user, path=path, file_name=path.name, commit=commit)


def test_dry_run_counts_and_commit_writes(tree, users, tmp_path):
    rows = [member_row(姓名=f"党员{i}", 身份证号=make_id("19800101", i)) for i in range(1, 6)]
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    result = _run(users.roster_admin, path, commit=False)
    assert (result.new, result.updated, result.unchanged, result.invalid) == (5, 0, 0, 0), result.errors
    assert Member.objects.count() == 0
    result = _run(users.roster_admin, path)
    assert result.new == 5 and Member.objects.count() == 5
    m = Member.objects.get(name="党员1")
    assert m.id_number == make_id("19800101", 1) and m.org_path == tree.branch_a.path
    again = _run(users.roster_admin, path, commit=False)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 5)
