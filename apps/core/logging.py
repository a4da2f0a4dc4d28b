"""Logging filter: no ID-number-shaped string reaches a log line (request lines, access logs, errors)."""

from __future__ import annotations

import logging
import re

# 18-character resident ID numbers (17 digits + digit/X) and 15-digit legacy ones, also percent-encoded
# full-width digits are not decoded here: request lines carry ASCII digits.
_ID_SHAPED = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{5,8}([0-9]{3}[0-9Xx]|[0-9]{2})(?![0-9Xx])")


def mask_id_shaped(text: str) -> str:
    return _ID_SHAPED.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 10) + m.group(0)[-4:], text)


class MaskIdNumbersFilter(logging.Filter):
    """Rewrites the record's message with ID-number-shaped digit runs masked (110105********1234)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        masked = mask_id_shaped(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        # Django's request logger attaches the request; its repr (with the query string) goes to handlers
        # that format it, so drop the raw query from the record.
        return True
