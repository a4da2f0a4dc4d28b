import datetime

import pytest

from apps.core.periods import Period
from apps.members.appraisal import appraisal_open
from apps.members.cards import cards_recompute
from apps.members.contact import contact_scan
from apps.members.contact_models import ContactReview
from apps.members.mobility import mobility_start
from apps.members.points import points_add_manual
from tests.factories.members import make_member

from .helpers import count_queries

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def test_secretary_runs_the_appraisal_on_one_page(tree, users, client_for):
    members = [make_member(tree.branch_a) for _ in range(3)]
    c = client_for(users.secretary_a)
    resp = c.post("/members/appraisals/new/", {"organization": tree.branch_a.code, "year": TODAY.year - 1})
    assert resp.status_code == 302
    url = resp["Location"]
    data = {"member": [m.pk for m in members], "step": "decide", "on": str(TODAY)}
    data |= {f"final_{m.pk}": "excellent" for m in members}
    resp = c.post(url, data)
    assert resp.status_code == 400 and "最多评1名优秀" in resp.content.decode()
    data |= {f"final_{m.pk}": "qualified" for m in members[1:]}
    assert c.post(url, data).status_code == 302
    page = c.get(url).content.decode()
    assert "已由党员大会确定" in page and "已评定。" in page and "已保存" not in page
    listing = c.get(f"/members/appraisals/?year={TODAY.year - 1}").content.decode()
    assert "优秀 <strong>1</strong>" in listing


def test_member_page_shows_card_points_standing_and_dues(tree, users, client_for):
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 7, 1), confirmed_on=datetime.date(2011, 7, 1))
    points_add_manual(acting_user=users.secretary_a, member=m, points=35, reason="先进", occurred_on=TODAY)
    cards_recompute(period=Period.current())
    body = client_for(users.secretary_a).get(f"/members/{m.pk}/").content.decode()
    assert "红卡·先锋党员" in body and "党龄" in body and "党费已交至" in body


@pytest.mark.parametrize("page", ["points", "cards", "contact", "mobility", "appraisal"])
def test_yearly_pages_render_for_the_secretary(tree, users, client_for, page):
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    urls = {
        "points": "/members/points/",
        "cards": "/members/cards/",
        "contact": "/members/contact-reviews/",
        "mobility": "/members/mobility/",
        "appraisal": "/members/appraisals/",
    }
    contact_scan(today=TODAY)
    mobility_start(acting_user=users.secretary_a, member=m, direction="outflow", place="上海", starts_on=TODAY)
    assert client_for(users.secretary_a).get(urls[page]).status_code == 200


def test_sibling_secretary_gets_404_on_yearly_pages(tree, users, client_for):
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    appraisal = appraisal_open(acting_user=users.secretary_a, organization=tree.branch_a, year=TODAY.year - 1)
    contact_scan(today=TODAY)
    review = ContactReview.objects.get()
    rec = mobility_start(acting_user=users.secretary_a, member=m, direction="outflow", place="上海", starts_on=TODAY)
    c = client_for(users.secretary_b)
    for url in (
        f"/members/appraisals/{appraisal.pk}/",
        f"/members/{m.pk}/points/",
        f"/members/contact-reviews/{review.pk}/decide/",
        f"/members/mobility/{rec.pk}/end/",
        f"/members/{m.pk}/mobility/",
        f"/members/{m.pk}/contact/",
        f"/members/points/?org={tree.branch_a.code}",
        f"/members/cards/?org={tree.branch_a.code}",
    ):
        assert c.get(url).status_code == 404, url
    assert m.name not in c.get("/members/contact-reviews/").content.decode()
    assert m.name not in c.get("/members/mobility/").content.decode()


def test_contact_decision_page_records_the_decision(tree, users, client_for):
    m = make_member(tree.branch_a, joined_on=datetime.date(2010, 1, 1))
    contact_scan(today=TODAY)
    review = ContactReview.objects.get()
    c = client_for(users.secretary_a)
    resp = c.post(
        f"/members/contact-reviews/{review.pk}/decide/",
        {"decision": "membership_stopped", "committee_on": str(TODAY), "reason": ""},
    )
    assert resp.status_code == 200 and "失联原因" in resp.content.decode()
    resp = c.post(
        f"/members/contact-reviews/{review.pk}/decide/",
        {"decision": "membership_stopped", "committee_on": str(TODAY), "reason": "abroad"},
    )
    assert resp.status_code == 302
    m.refresh_from_db()
    assert m.status == "membership_stopped"


def test_appraisal_and_points_pages_query_counts_do_not_grow(tree, users, client_for):
    c = client_for(users.secretary_a)
    for _ in range(3):
        points_add_manual(
            acting_user=users.secretary_a, member=make_member(tree.branch_a), points=1, reason="x", occurred_on=TODAY
        )
    appraisal = appraisal_open(acting_user=users.secretary_a, organization=tree.branch_a, year=TODAY.year - 1)
    c.get("/members/points/")
    c.get(f"/members/appraisals/{appraisal.pk}/")
    few = (
        count_queries(lambda: c.get("/members/points/")),
        count_queries(lambda: c.get(f"/members/appraisals/{appraisal.pk}/")),
    )
    for _ in range(27):
        points_add_manual(
            acting_user=users.secretary_a, member=make_member(tree.branch_a), points=1, reason="x", occurred_on=TODAY
        )
    appraisal.delete()
    appraisal = appraisal_open(acting_user=users.secretary_a, organization=tree.branch_a, year=TODAY.year - 1)
    c.get("/members/points/")
    c.get(f"/members/appraisals/{appraisal.pk}/")
    many = (
        count_queries(lambda: c.get("/members/points/")),
        count_queries(lambda: c.get(f"/members/appraisals/{appraisal.pk}/")),
    )
    assert many == few


def test_cards_page_counts_per_child_from_the_month_rows_in_bounded_queries(tree, users, client_for):
    def page() -> str:
        return c.get(f"/members/cards/?org={tree.street_a.code}").content.decode()

    c = client_for(users.street_staff)
    make_member(tree.branch_a)
    make_member(tree.branch_b)
    cards_recompute(period=Period.current())
    page()
    few = count_queries(page)
    red = make_member(tree.branch_a)
    points_add_manual(acting_user=users.secretary_a, member=red, points=40, reason="先进", occurred_on=TODAY)
    for _ in range(5):
        make_member(tree.branch_b)
    cards_recompute(period=Period.current())
    page()
    assert count_queries(page) == few
    ctx = c.get(f"/members/cards/?org={tree.street_a.code}").context
    codes = [cat.code for cat in ctx["categories"]]
    per_child = {child.code: dict(zip(codes, counts, strict=True)) for child, counts in ctx["children"]}
    assert per_child[tree.branch_a.code]["red"] == 1 and per_child[tree.branch_a.code]["green"] == 1
    assert per_child[tree.branch_b.code]["green"] == 6 and per_child[tree.branch_b.code]["red"] == 0
    assert dict(zip(codes, [n for _c, n in ctx["totals"]], strict=True))["green"] == 7
