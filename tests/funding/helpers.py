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


def reviewer_for(org_path: str):
    """An org-department user of the tree's root: above every spending organization, never the recorder."""
    from apps.accounts.models import User
    from apps.organizations.models import Organization
    from tests.factories.accounts import make_user

    root = Organization.objects.get(pk=int(org_path.strip("/").split("/")[0]))
    return User.objects.filter(username="funding_reviewer").first() or make_user(
        root, "org_staff", username="funding_reviewer"
    )


def approve(expense, reviewer=None):
    return services.expense_review(
        acting_user=reviewer or reviewer_for(expense.org_path), expense=expense, approve=True
    )


def spend(actor, allocation, amount="100.00", *, on=None, category="activity", vouchers=None, review=True):
    """Record an expense and (unless ``review=False``) have the level above approve it, so it is posted."""
    today = datetime.date.today()
    expense = services.expense_create(
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
    return approve(expense) if review else expense
