"""The deadlines page: each list holds only its window and labels the date it shows."""

import datetime

from django.urls import reverse
from django.utils import timezone

from apps.core.periods import add_years
from apps.members.models import Recruitment
from apps.members.selectors import deadline_lists
from tests.factories.members import make_id_number, make_member
from tests.helpers import count_queries

D = datetime.date
TODAY = D(2026, 11, 10)


def _activist(org, activist_on, name="积极分子"):
    r = Recruitment(
        organization=org, name=name, gender="1", applied_on=activist_on, activist_on=activist_on, stage="activist"
    )
    r.id_number = make_id_number()
    r.save()
    return r


def _names(lists, key):
    return [row.name for row in next(x for x in lists if x.key == key).rows]


def test_activists_split_into_due_soon_and_already_completed(tree, users):
    _activist(tree.branch_a, D(2025, 2, 2), "早已满一年")
    _activist(tree.branch_a, D(2025, 11, 10), "今天满一年")
    _activist(tree.branch_a, D(2026, 1, 9), "六十天内满一年")
    _activist(tree.branch_a, D(2026, 1, 10), "六十一天后满一年")
    _activist(tree.branch_b, D(2025, 12, 1), "别的支部")
    lists = deadline_lists(user=users.secretary_a, within_days=60, today=TODAY)
    assert _names(lists, "activists_soon") == ["今天满一年", "六十天内满一年"]
    assert _names(lists, "activists_over") == ["早已满一年"]
    soon = next(x for x in lists if x.key == "activists_soon")
    assert soon.rows[1].date == D(2027, 1, 9) and soon.rows[1].since == D(2026, 1, 9)
    assert soon.date_label == "满一年日期" and "60天内" in soon.title


def test_probation_split_into_due_soon_and_overdue(tree, users):
    make_member(tree.branch_a, name="已期满", category="probationary", probation_ends_on=D(2026, 11, 9))
    make_member(tree.branch_a, name="将期满", category="probationary", probation_ends_on=D(2027, 1, 9))
    make_member(tree.branch_a, name="还早", category="probationary", probation_ends_on=D(2027, 1, 10))
    lists = deadline_lists(user=users.district_staff, within_days=60, today=TODAY)
    assert _names(lists, "probation_soon") == ["将期满"]
    assert _names(lists, "probation_over") == ["已期满"]


def test_page_labels_the_date_column_and_omits_old_rows_from_the_window(tree, users, client_for):
    today = timezone.localdate()
    _activist(tree.branch_a, add_years(today, -2), "早已满一年")
    _activist(tree.branch_a, add_years(today + datetime.timedelta(days=10), -1), "快满一年")
    html = client_for(users.district_staff).get(reverse("members:deadlines")).content.decode()
    soon = html.split('id="deadline-activists_soon"')[1].split('id="deadline-activists_over"')[0]
    assert "快满一年" in soon and "早已满一年" not in soon and "<th>满一年日期</th>" in soon
    assert "入党积极分子将在60天内培养满一年" in soon
    assert "早已满一年" in html.split('id="deadline-activists_over"')[1]


def test_deadlines_query_count_does_not_grow(tree, users, client_for):
    client = client_for(users.district_staff)
    today = timezone.localdate()

    def count(n):
        for i in range(n):
            _activist(tree.branch_a, add_years(today, -1) + datetime.timedelta(days=i % 50))
            make_member(tree.branch_a, category="probationary", probation_ends_on=today + datetime.timedelta(days=i))
        return count_queries(lambda: client.get(reverse("members:deadlines")))[0]

    client.get(reverse("members:deadlines"))  # warm the session and permission caches
    few = count(3)
    many = count(27)
    assert few == many and few <= 20
