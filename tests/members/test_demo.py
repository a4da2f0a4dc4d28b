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
