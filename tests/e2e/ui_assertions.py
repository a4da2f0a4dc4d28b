"""The one check every browser test runs on every page it visits: nothing a user should never see.

``assert_clean_page(page)`` fails with the offending snippets when the visible text shows an internal code
(``monthlyledger.submit``, ``in_progress``), an English label, a Python repr (``{'a': 1}``, ``None``,
``<QuerySet``), Django's empty choice ``---------`` (also inside <select>s), a SHA-256 hash, or an English
error page.
"""

from __future__ import annotations

import re
from typing import Any

# Words that are fine in a Chinese UI: product names, file formats, units, abbreviations people use.
ALLOWED_WORDS = {
    "excel",
    "xlsx",
    "csv",
    "api",
    "pdf",
    "sms",
    "email",
    "e-mail",
    "id",
    "ok",
    "http",
    "https",
    "www",
    "wifi",
    "qq",
    "app",
    "png",
    "jpg",
    "jpeg",
    "docx",
    "wps",  # WPS Office documents, an accepted upload format
    "xls",
    "doc",
    "zip",
    "gb",
    "kb",
    "mb",
    "vs",
    "cpc",
    "ppt",
    "pptx",
}

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("Django empty choice", re.compile(r"-{5,}")),
    ("Python dict/list repr", re.compile(r"[\[{]\s*'[^']*'\s*[:,\]]")),
    ("Python repr", re.compile(r"<QuerySet|object at 0x|datetime\.date\(|Decimal\('|\bNone\b|\bTrue\b|\bFalse\b")),
    ("internal code", re.compile(r"\b[a-z][a-z_]*\.[a-z][a-z_]+\b")),
    ("snake_case code", re.compile(r"\b[a-z]+_[a-z_]+\b")),
    ("hash", re.compile(r"\b[0-9a-f]{40,64}\b")),
    ("English error page", re.compile(r"Page not found|Server Error|Forbidden|Traceback|DoesNotExist")),
]
FILE_SUFFIXES = re.compile(r"\.(xlsx|xls|csv|pdf|docx?|png|jpe?g|zip|txt|com|cn|org|net)\b", re.IGNORECASE)
ENGLISH_WORD = re.compile(r"\b[A-Za-z][A-Za-z-]{2,}\b")
# Usernames and e-mail addresses are data, not labels: the account menu shows the login name.
# (the demo's and the test fixtures' login names, shown where a person has no display name)
DATA_TOKENS = re.compile(
    r"[\w.+-]+@[\w.-]+|\b(?:admin|[a-z]+(?:_[a-z])?_staff|secretary(?:_[a-z]|\d)?|leader|inspector|roster_admin)\b"
)


def visible_problems(text: str) -> list[str]:
    text = DATA_TOKENS.sub(" ", FILE_SUFFIXES.sub(" ", text))
    problems = []
    for name, pattern in PATTERNS:
        for m in pattern.finditer(text):
            start = max(m.start() - 20, 0)
            problems.append(f"{name}: …{text[start : m.end() + 20]}…".replace("\n", " "))
    for m in ENGLISH_WORD.finditer(text):
        if m.group(0).lower() not in ALLOWED_WORDS:
            start = max(m.start() - 20, 0)
            problems.append(f"English word: …{text[start : m.end() + 20]}…".replace("\n", " "))
    return problems


def assert_clean_page(page: Any) -> None:
    """The page's visible text plus every <option> label (collapsed selects are not in innerText). The user's
    own login name in the account menu (``data-no-ui-check``) is data, not a label."""
    text = page.evaluate(
        """() => {
            const skip = Array.from(document.querySelectorAll("[data-no-ui-check]"));
            skip.forEach(e => { e.dataset.display = e.style.display; e.style.display = "none"; });
            const text = document.body.innerText;
            skip.forEach(e => { e.style.display = e.dataset.display; });
            return text;
        }"""
    )
    options = page.eval_on_selector_all("option", "els => els.map(e => e.textContent).join('\\n')")
    problems = visible_problems(text + "\n" + options)
    assert not problems, f"{page.url} shows what users should never see:\n" + "\n".join(problems[:15])
