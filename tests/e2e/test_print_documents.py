"""Official documents laid out per GB/T 9704, checked on the rendered page (computed styles and positions):
the number reads 甲工函〔2026〕N号, body paragraphs indent two characters, the issuer and date sit bottom right,
the date reads YYYY年M月D日, and links print black without underline. Screenshots go to /tmp/ui/."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e.ui_assertions import assert_clean_page
from tests.factories.responsibility import make_ledger, make_meeting, make_problem
from tests.factories.supervision import make_letter

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(os.environ.get("UI_SCREENSHOTS", "/tmp/ui"))
GEOMETRY = """() => {
  const doc = document.querySelector(".official-doc");
  const box = doc.getBoundingClientRect();
  const para = doc.querySelector(".doc-body p");
  const sig = doc.querySelector(".doc-signature-inner").getBoundingClientRect();
  const lastBody = Array.from(doc.querySelectorAll(".doc-body p, .doc-table")).pop().getBoundingClientRect();
  const style = getComputedStyle(para);
  const link = doc.querySelector("a");
  const linkStyle = link ? getComputedStyle(link) : null;
  return {
    left: box.left, right: box.right, width: box.width,
    indent: parseFloat(style.textIndent), fontSize: parseFloat(style.fontSize), family: style.fontFamily,
    titleFamily: getComputedStyle(doc.querySelector(".doc-title")).fontFamily,
    sigLeft: sig.left, sigRight: sig.right, sigTop: sig.top, bodyBottom: lastBody.bottom,
    date: doc.querySelector(".doc-date").textContent.trim(),
    number: (doc.querySelector(".doc-number") || {textContent: ""}).textContent.trim(),
    linkColor: linkStyle && linkStyle.color, linkDecoration: linkStyle && linkStyle.textDecorationLine,
  };
}"""


def _check_layout(page, name: str) -> dict:
    assert_clean_page(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"print_{name}.png"), full_page=True)
    g = page.evaluate(GEOMETRY)
    assert abs(g["indent"] - 2 * g["fontSize"]) < 0.5, g  # 首行缩进二字
    assert g["fontSize"] >= 21, g  # 三号 = 16 pt ≈ 21.3 px
    assert "仿宋" in g["family"] or "FangSong" in g["family"], g["family"]
    assert "小标宋" in g["titleFamily"], g["titleFamily"]
    assert g["sigLeft"] > g["left"] + g["width"] / 2, g  # issuer and date on the right half …
    assert g["sigTop"] >= g["bodyBottom"], g  # … below the body
    assert g["right"] - g["sigRight"] >= 3 * g["fontSize"], g  # 右空四字 (about four characters in)
    assert re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日", g["date"]), g["date"]
    return g


def test_letter_prints_as_an_official_document(tree, users, page_for):
    tree.street_a.doc_prefix = "甲工"
    tree.street_a.save(update_fields=["doc_prefix"])
    letter = make_letter(tree.street_a, tree.branch_a, kind="supervision", items=["整改“三会一课”记录不全"])
    page = page_for(users.street_staff)
    page.goto(f"{page.base_url}/supervision/letters/{letter.pk}/print/")
    g = _check_layout(page, "letter")
    assert re.fullmatch(r"甲工函〔2026〕\d+号", g["number"]), g["number"]
    assert page.inner_text(".official-doc").count("三会一课") == 1
    page.emulate_media(media="print")
    g = page.evaluate(GEOMETRY)
    assert g["linkColor"] in ("rgb(0, 0, 0)", None) and g["linkDecoration"] in ("none", None), g
    assert page.locator(".print-toolbar").is_hidden()
    page.screenshot(path=str(SHOTS / "print_letter_media_print.png"), full_page=True)


def test_rectification_notice_and_ledger_print_views(tree, users, page_for):
    problem = make_problem(tree.branch_a)
    ledger = make_ledger(tree.branch_a)
    make_meeting(ledger)
    page = page_for(users.street_staff)
    page.goto(f"{page.base_url}/responsibility/rectifications/{problem.rectification.pk}/notice/")
    _check_layout(page, "rectification_notice")
    page.goto(f"{page.base_url}/responsibility/ledgers/{ledger.pk}/print/")
    _check_layout(page, "ledger")
