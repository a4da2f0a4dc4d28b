from __future__ import annotations

import datetime
import itertools
from typing import Any

from apps.core.periods import add_years
from apps.members.models import Member
from apps.members.validators import id_check_char
from apps.organizations.models import Organization

_seq = itertools.count(1)


def make_id_number(
    birth: datetime.date = datetime.date(1985, 6, 15), *, male: bool = True, area: str = "340524"
) -> str:
    """A valid GB 11643 number; the sequence is unique per call (odd = male, even = female)."""
    n = next(_seq) % 499
    seq = n * 2 + (1 if male else 2)
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def make_member(organization: Organization, *, name: str | None = None, **fields: Any) -> Member:
    """A member written directly (no service: tests of the service build their own)."""
    birth = fields.pop("birth_date", datetime.date(1985, 6, 15))
    male = fields.pop("gender", "1") == "1"
    category = fields.pop("category", "full")
    joined = fields.pop("joined_on", datetime.date(2010, 7, 1))
    member = Member(
        organization=organization,
        org_path=organization.path,
        name=name or f"党员{next(_seq)}",
        gender="1" if male else "2",
        birth_date=birth,
        category=category,
        joined_on=joined,
        confirmed_on=fields.pop("confirmed_on", add_years(joined, 1) if joined and category == "full" else None),
        **fields,
    )
    member.id_number = fields.get("id_number") or make_id_number(birth, male=male)
    member.save()
    return member
