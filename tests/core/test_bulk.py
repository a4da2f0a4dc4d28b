import pytest

from apps.core.bulk import insert_ignore_returning
from apps.notifications.models import Notice

pytestmark = pytest.mark.django_db


def _rows(user, titles, keys):
    return [(user.pk, "/1/", "other", t, "", "", k) for t, k in zip(titles, keys, strict=True)]


FIELDS = ["recipient", "org_path", "category", "title", "body", "link", "dedupe_key"]


def test_inserts_return_only_new_rows_and_skip_conflicts(tree, users):
    u = users.secretary_a
    first = insert_ignore_returning(
        Notice, FIELDS, _rows(u, ["甲", "乙"], ["k1", "k2"]), returning=("id", "dedupe_key")
    )
    assert sorted(k for _, k in first) == ["k1", "k2"]
    again = insert_ignore_returning(
        Notice, FIELDS, _rows(u, ["甲", "丙"], ["k1", "k3"]), returning=("id", "dedupe_key")
    )
    assert [k for _, k in again] == ["k3"]
    assert Notice.objects.get(dedupe_key="k3").created_at is not None  # defaults filled for left-out columns


def test_values_holding_separator_characters_and_empty_strings_survive(tree, users):
    u = users.secretary_a
    odd = ["a\x1fb", "c\x1ed", ""]
    insert_ignore_returning(Notice, FIELDS, _rows(u, odd, ["x1", "x2", "x3"]))
    insert_ignore_returning(Notice, FIELDS, _rows(u, [""], ["x4"]))
    assert sorted(Notice.objects.filter(recipient=u).values_list("title", flat=True)) == sorted([*odd, ""])


def test_nulls_round_trip(tree, users):
    u = users.secretary_a
    [(nid,)] = insert_ignore_returning(Notice, [*FIELDS, "read_at"], [(*_rows(u, ["t"], ["n1"])[0], None)])
    assert Notice.objects.get(pk=nid).read_at is None
