import datetime
import random

from apps.members.demo import id_number_for_index, member_rows
from apps.members.services import member_rules
from apps.members.validators import validate_id_number


def test_demo_id_numbers_are_valid_unique_and_agree_with_birth_and_gender():
    numbers = set()
    for i in range(0, 200_000, 97):
        number, birth, gender = id_number_for_index(i)
        info = validate_id_number(number, today=datetime.date(2026, 1, 1))
        assert (info.birth_date, info.gender) == (birth, gender)
        numbers.add(number)
    assert len(numbers) == len(range(0, 200_000, 97))


def test_demo_rows_pass_the_member_rules():
    today = datetime.date(2026, 11, 1)
    rows = list(member_rows([(1, "/1/")], rng=random.Random(3), today=today, per_branch=(200, 200), encrypt=False))
    kinds = {r["category"] for r in rows}
    assert kinds == {"full", "probationary"}
    for row in rows:
        values = {
            k: row[k]
            for k in (
                "id_number",
                "birth_date",
                "gender",
                "category",
                "joined_on",
                "confirmed_on",
                "phone",
                "mobile_state",
                "mobile_place",
                "lost_contact",
                "lost_contact_since",
                "lost_contact_reason",
            )
        }
        assert member_rules(values, today=today) == {}, row


def _age(birth, on):
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def test_demo_rows_are_realistic():
    today = datetime.date(2026, 11, 1)
    branches = [(n, f"/{n}/") for n in range(1, 41)]
    rows = list(
        member_rows(branches, rng=random.Random(5), today=today, encrypt=False, secretaries={1: ("张建国", "1")})
    )
    ages = [_age(r["birth_date"], today) for r in rows]
    assert min(ages) >= 21 and max(ages) <= 76
    for r in rows:
        assert 18 <= _age(r["birth_date"], r["joined_on"]) <= 45, r
        if r["category"] == "probationary":
            assert (today - r["joined_on"]).days <= 366, r
        if r["party_post"]:
            assert r["category"] == "full" and 28 <= _age(r["birth_date"], today) <= 60, r
    probationary = [a for a, r in zip(ages, rows, strict=True) if r["category"] == "probationary"]
    assert probationary and sum(probationary) / len(probationary) < sum(ages) / len(ages)
    secretary = next(r for r in rows if r["organization_id"] == 1 and r["party_post"] == "secretary")
    assert (secretary["name"], secretary["gender"]) == ("张建国", "1")
    assert validate_id_number(secretary["id_number"], today=today).gender == "1"
