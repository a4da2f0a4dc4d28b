import base64
import datetime

import pytest
from cryptography.exceptions import InvalidTag
from django.db import IntegrityError, transaction

from apps.core.models import AuditLog
from apps.members import crypto
from apps.members.models import Member
from apps.members.services import member_create, member_update
from tests.factories.members import make_id_number, make_member

NEW_KEY = "k2:" + base64.b64encode(b"k" * 32).decode()


def test_id_number_is_encrypted_at_rest_and_searchable_by_hash(tree):
    number = make_id_number()
    m = make_member(tree.branch_a, id_number=number)
    row = Member.objects.filter(pk=m.pk).values("id_number_enc", "id_hash", "id_masked", "id_key_id").get()
    assert number not in row["id_number_enc"]
    assert row["id_masked"] == number[:6] + "********" + number[-4:]
    assert row["id_key_id"] == "dev"
    assert Member.objects.get(pk=m.pk).id_number == number
    assert list(Member.objects.by_id_number(number.lower())) == [m]


def test_old_key_still_decrypts_after_rotation(tree, settings):
    m = make_member(tree.branch_a)
    number = m.id_number
    settings.PII_ENCRYPTION_KEYS = f"{NEW_KEY},{settings.PII_ENCRYPTION_KEYS}"
    assert Member.objects.get(pk=m.pk).id_number == number
    fresh = Member(name="x")
    fresh.id_number = number
    assert fresh.id_key_id == "k2"
    assert crypto.decrypt("k2", fresh.id_number_enc) == number


def test_tampered_ciphertext_is_rejected(tree):
    m = make_member(tree.branch_a)
    raw = bytearray(base64.b64decode(m.id_number_enc))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt(m.id_key_id, base64.b64encode(bytes(raw)).decode())


def test_database_refuses_two_active_members_with_one_id_number(tree):
    number = make_id_number()
    make_member(tree.branch_a, id_number=number)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_member(tree.branch_b, id_number=number)


def test_same_id_number_allowed_when_the_other_row_is_not_active(tree):
    number = make_id_number()
    make_member(tree.branch_a, id_number=number, status="deceased")
    make_member(tree.branch_b, id_number=number)
    assert Member.objects.by_id_number(number).count() == 2


def test_audit_rows_never_hold_the_plain_id_number(tree, users):
    number = make_id_number()
    m = member_create(
        acting_user=users.district_staff,
        organization=tree.branch_a,
        id_number=number,
        name="王芳",
        phone="13800138000",
        joined_on=datetime.date(2012, 7, 1),
        confirmed_on=datetime.date(2013, 7, 1),
    )
    member_update(acting_user=users.district_staff, member=m, id_number=make_id_number())
    logs = AuditLog.objects.filter(object_id=str(m.pk), event__startswith="member.")
    assert logs.count() == 2
    for log in logs:
        dumped = str(log.changes)
        assert number not in dumped and "13800138000" not in dumped
        assert "id_number_enc" not in dumped and "id_hash" not in dumped
    assert number[:6] + "********" + number[-4:] in str(logs.first().changes) + str(logs.last().changes)


def test_rotation_reencrypts_under_the_new_key_and_keeps_search(tree, settings):
    from apps.members.services import member_ids_reencrypt

    m = make_member(tree.branch_a)
    number = m.id_number
    settings.PII_ENCRYPTION_KEYS = f"{NEW_KEY},{settings.PII_ENCRYPTION_KEYS}"
    assert member_ids_reencrypt() == 1
    assert member_ids_reencrypt() == 0
    settings.PII_ENCRYPTION_KEYS = NEW_KEY  # the old key is gone
    fresh = Member.objects.get(pk=m.pk)
    assert (fresh.id_key_id, fresh.id_number) == ("k2", number)
    assert list(Member.objects.by_id_number(number)) == [fresh]
