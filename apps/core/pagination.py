"""Pagination whose count never costs more than a bounded scan.

Exact counts over a province (hundreds of thousands of rows) are not free; we count at most ``COUNT_CAP``
rows (``SELECT COUNT(*) FROM (... LIMIT cap+1)``) and show "10000+" past that. Pages past the cap are still
reachable by number, they simply have no exact total.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

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
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        number = max(number, 1)
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
