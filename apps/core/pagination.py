"""Pagination whose count never costs more than a bounded scan.

Exact counts over a province (hundreds of thousands of rows) are not free; we count at most ``COUNT_CAP``
rows (``SELECT COUNT(*) FROM (... LIMIT cap+1)``) and show "10000+" past that. Pages past the cap are still
reachable by number, they simply have no exact total.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.core.paginator import Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from apps.core.text import is_digits

COUNT_CAP = 10000


class CappedPaginator(Paginator):
    count_cap = COUNT_CAP

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        # No ORDER BY inside the capped count: any cap+1 rows will do, and unordered is an index-only scan.
        return self.object_list.order_by()[: self.count_cap + 1].count()

    @property
    def count_is_capped(self) -> bool:
        return self.count > self.count_cap

    def validate_number(self, number: Any) -> int:
        """A page number is a positive integer (``page=AAA`` or ``page=0`` is an invalid page: 404).
        Past the last page, the last page is shown (documented in the API)."""
        text = str(number).strip() if number is not None else ""
        if not is_digits(text) or len(text) > 9 or int(text) < 1:
            raise PageNotAnInteger(_("页码须为正整数。"))
        number = int(text)
        if self.count_is_capped:
            return number  # no exact last page: allow any page number
        return min(number, max(self.num_pages, 1))

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.count_is_capped and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.object_list[bottom:top], number, self)


class CappedPageNumberPagination(PageNumberPagination):
    django_paginator_class = CappedPaginator
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = _("页码无效。")

    def get_page_size(self, request: Any) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        text = raw.strip()
        if not is_digits(text) or not 1 <= int(text[:9]) <= self.max_page_size or len(text) > 9:
            raise ValidationError(
                {self.page_size_query_param: [_("每页条数须为1到%(m)d之间的整数。") % {"m": self.max_page_size}]}
            )
        return int(text)

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        params = super().get_schema_operation_parameters(view)
        for p in params:
            if p["name"] == self.page_query_param:
                p["schema"] = {"type": "integer", "minimum": 1, "maximum": 999_999_999}
                p["description"] = str(_("页码（从1开始；超过最后一页时返回最后一页）"))
            elif p["name"] == self.page_size_query_param:
                p["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                p["description"] = str(_("每页条数（1到%(m)d）") % {"m": self.max_page_size})
        return params

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.page.paginator
        capped = paginator.count_is_capped
        next_link = self.get_next_link() if (capped and len(data) == paginator.per_page) else None
        return Response(
            OrderedDict(
                [
                    ("count", min(paginator.count, paginator.count_cap) if capped else paginator.count),
                    ("count_is_capped", capped),
                    ("next", next_link if capped else self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        base = super().get_paginated_response_schema(schema)
        base["properties"]["count_is_capped"] = {"type": "boolean"}
        return base
