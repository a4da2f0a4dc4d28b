"""Status badges follow docs/ui.md: red is for overdue only. ``primary`` is the party red, so every 办理中 request
in 民情流水线 looked overdue; 已关闭 was a black badge where closed things are grey."""

import pytest
from django.urls import reverse

from apps.service_requests.choices import RequestStatus
from apps.service_requests.selectors import STATUS_BADGE
from tests.factories.service_requests import make_request

pytestmark = pytest.mark.django_db


def test_every_status_has_a_colour_from_the_palette_and_none_is_red():
    assert set(STATUS_BADGE) == set(RequestStatus.values)
    assert set(STATUS_BADGE.values()) <= {"secondary", "info", "warning", "success"}
    assert STATUS_BADGE[RequestStatus.IN_PROGRESS] == "info" and STATUS_BADGE[RequestStatus.CLOSED] == "secondary"


def test_the_list_shows_no_red_status_for_work_on_time(tree, sr, client_for):
    make_request(sr.worker_a, tree.branch_a, sr.cat)
    html = client_for(sr.worker_a).get(reverse("service_requests:request_list")).content.decode()
    assert "sr-status" in html and "text-bg-primary" not in html and "text-bg-danger sr-status" not in html
