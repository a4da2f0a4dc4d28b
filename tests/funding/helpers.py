"""Small builders for the funding tests (through the services, so paths, roll-ups and audit are real)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.funding import services
from apps.funding.models import Allocation

PDF = b"%PDF-1.4\n%test voucher\n%%EOF\n"


def pdf(name: str = "发票.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def this_year() -> int:
    return datetime.date.today().year


def allocate(actor, issuer, org, amount="5000.00", *, year=None, source="fiscal", on=None) -> Allocation:
    year = year or this_year()
    return services.allocation_create(
        acting_user=actor,
        issuer=issuer,
        organization=org,
        year=year,
        source=source,
        amount=amount,
        basis="测试专项",
        allocated_on=on or datetime.date(year, 1, 5),
    )


def spend(actor, allocation, amount="100.00", *, on=None, category="activity", vouchers=None):
    today = datetime.date.today()
    return services.expense_create(
        acting_user=actor,
        allocation=allocation,
        spent_on=on or (today if today.year == allocation.year else datetime.date(allocation.year, 6, 1)),
        category=category,
        amount=Decimal(amount),
        payee="红色教育基地",
        purpose="主题党日活动",
        approved_by="张书记",
        vouchers=vouchers,
    )
