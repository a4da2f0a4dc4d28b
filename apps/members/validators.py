"""Pure field rules for members: citizen ID number (GB 11643), mobile and phone numbers.

Every path that accepts these values (forms, API, django-import-export resources, the fast import) calls
these functions, so a rule changes in one place. They are plain functions over strings, cheap enough to
run a hundred thousand times in an import.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from operator import mul

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.text import is_digits

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# The checksum alone accepts people born in 1880; nobody on a live roster was born before this year.
MIN_BIRTH_YEAR = 1900

# Full-width ASCII (U+FF01..U+FF5E) maps onto ASCII by a fixed offset; U+3000 is the ideographic space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# Spaces people paste (ASCII, ideographic, no-break, zero-width, tab, newlines) removed outright.
_SPACES = dict.fromkeys(map(ord, " \t\r\n\u3000\u00a0\u200b\u2002\u2003\u2009\ufeff"))
_ID_TABLE = {**_FULLWIDTH, **_SPACES}

_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
_FIXED_LINE_RE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


@dataclass(frozen=True, slots=True)
class IdInfo:
    """What an ID number fixes about its holder. ``gender`` is the GB/T 2261.1 code ("1" male, "2" female)."""

    birth_date: datetime.date
    gender: str
    legacy: bool = False


def to_halfwidth(value: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; U+3000 to a plain space."""
    return value.translate(_FULLWIDTH)


def normalize_id_number(value: object) -> str:
    """Strip every kind of space, full-width → half-width, lowercase x → X. Never raises."""
    if value is None:
        return ""
    # A leading apostrophe is how people force text in a spreadsheet; in a CSV it arrives literally.
    return str(value).translate(_ID_TABLE).lstrip("'‘’`").upper()


_WEIGHT_OFFSET = 48 * sum(ID_WEIGHTS)


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for 17 ASCII digits (weights applied to the byte values, C-speed)."""
    return ID_CHECK_CHARS[(sum(map(mul, ID_WEIGHTS, first17.encode("ascii"))) - _WEIGHT_OFFSET) % 11]


def _birth_date(year: int, month: int, day: int, today: datetime.date) -> datetime.date:
    try:
        born = datetime.date(year, month, day)
    except ValueError as exc:
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 不是有效日期。") % {"d": f"{year:04d}-{month:02d}-{day:02d}"},
            code="id_birth_date",
        ) from exc
    if born > today:
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 晚于今天。") % {"d": born.isoformat()}, code="id_birth_future"
        )
    if born.year < MIN_BIRTH_YEAR:
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 不合理（早于%(y)s年）。") % {"d": born.isoformat(), "y": MIN_BIRTH_YEAR},
            code="id_birth_implausible",
        )
    return born


def validate_id_number(
    value: object, *, allow_legacy: bool = False, today: datetime.date | None = None, normalized: bool = False
) -> IdInfo:
    """Validate a citizen ID number (GB 11643) and return the birth date and gender it fixes.

    15-digit legacy numbers are refused (code ``id_legacy``) so that a person reviews them, unless
    ``allow_legacy``. Pass ``normalized=True`` when the value already went through ``normalize_id_number``.
    """
    number = value if normalized else normalize_id_number(value)
    if not number:
        raise ValidationError(_("请填写身份证号。"), code="required")
    today = today or timezone.localdate()
    if len(number) == 15:
        if not is_digits(number, 18):
            raise ValidationError(_("15位身份证号只能由数字组成。"), code="id_format")
        year = 1900 + int(number[6:8])
        info = IdInfo(
            _birth_date(year, int(number[8:10]), int(number[10:12]), today),
            "1" if int(number[14]) % 2 else "2",
            legacy=True,
        )
        if not allow_legacy:
            raise ValidationError(
                _("身份证号为15位旧号码，请核实后改为18位公民身份号码。"), code="id_legacy", params={"info": info}
            )
        return info
    if len(number) != 18:
        raise ValidationError(
            _("身份证号应为18位，当前为%(n)s位。") % {"n": len(number)},
            code="id_length",
        )
    first17, check = number[:17], number[17]
    if not first17.isascii() or not is_digits(first17, 17) or not (is_digits(check) or check == "X"):
        raise ValidationError(_("身份证号前17位须为数字，最后一位为数字或X。"), code="id_format")
    expected = id_check_char(first17)
    if check != expected:
        raise ValidationError(
            _("身份证号校验码错误（按前17位应为%(c)s），请核对号码。") % {"c": expected}, code="id_checksum"
        )
    born = _birth_date(int(number[6:10]), int(number[10:12]), int(number[12:14]), today)
    return IdInfo(born, "1" if (ord(number[16]) - 48) % 2 else "2")


def normalize_phone(value: object) -> str:
    """Digits of a phone number as people type them: dashes, spaces, brackets, +86, full-width digits."""
    if value is None:
        return ""
    if type(value) is str and len(value) == 11 and value.isascii() and is_digits(value):
        return value  # the common case, already clean
    text = to_halfwidth(str(value)).strip()
    if text.endswith(".0") and is_digits(text[:-2], 18):  # a number cell read as float
        text = text[:-2]
    for ch in " \u3000\u00a0()（）":
        text = text.replace(ch, "")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    text = text.strip("-")
    if _MOBILE_RE.fullmatch(text.replace("-", "")):
        return text.replace("-", "")
    return text


def validate_mobile(value: object) -> str:
    """A mainland mobile number (11 digits starting 13–19); returns it normalized."""
    number = normalize_phone(value)
    if not _MOBILE_RE.fullmatch(number):
        raise ValidationError(_("手机号格式不正确，应为11位数字（如13800138000）。"), code="mobile")
    return number


def validate_phone(value: object) -> str:
    """A mobile number or a fixed line with area code (0551-12345678); returns it normalized."""
    number = normalize_phone(value)
    if _MOBILE_RE.fullmatch(number) or _FIXED_LINE_RE.fullmatch(number):
        return number
    raise ValidationError(_("联系电话格式不正确，应为11位手机号或带区号的固定电话（如0551-12345678）。"), code="phone")
