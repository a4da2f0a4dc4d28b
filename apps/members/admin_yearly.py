"""Back office for the yearly cycle's rule tables (data, not code) and read-only views of its records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from apps.core.admin import ScopedAdminMixin

from .appraisal_models import CardCategory, PointRule
from .contact_models import ContactReview
from .dues_models import DuesBracket, DuesPayment


@admin.register(DuesBracket)
class DuesBracketAdmin(admin.ModelAdmin):
    """Read-only: a table is a set of rows checked together (contiguous, no overlaps), so it is edited on the
    党费交纳标准 page (``members:dues_bracket_settings``) through ``dues_brackets.bracket_table_save`` (audited)."""

    list_display = ("year", "category", "upper_bound", "rate_percent", "fixed_amount", "note")
    list_filter = ("year", "category")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "points", "source", "is_active")
    list_editable = ("points", "is_active")


@admin.register(CardCategory)
class CardCategoryAdmin(admin.ModelAdmin):
    list_display = (
        "order",
        "name",
        "colour",
        "criteria",
        "min_points",
        "max_points",
        "appraisal_levels",
        "mobile",
        "lost_contact",
        "min_age",
        "match_any",
        "is_active",
    )
    list_display_links = ("name",)


class _ReadOnly(ScopedAdminMixin, admin.ModelAdmin):
    """Records change only through the services (pages, API), so the back office only reads them."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(DuesPayment)
class DuesPaymentAdmin(_ReadOnly):
    list_display = ("member", "organization", "month", "amount", "method", "paid_on")
    raw_id_fields = ("member", "organization")
    list_select_related = ("member", "organization")
    show_full_result_count = False


@admin.register(ContactReview)
class ContactReviewAdmin(_ReadOnly):
    list_display = ("member", "organization", "kind", "opened_on", "decision", "committee_on")
    list_select_related = ("member", "organization")
