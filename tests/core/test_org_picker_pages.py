"""Organizations are picked by name, never typed as codes (docs/ui.md, Filters): the hand-written filter forms
of the dues, points, cards, appraisal, vote and bulletin pages render the shared picker (search box + 组织树),
show the chosen organization's name, and accept a name typed without choosing a suggestion."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = {
    "members:dues_month": "org",
    "members:dues_rollup": "org",
    "members:points_ranking": "org",
    "members:cards": "org",
    "members:appraisal_list": "org",
    "members:vote_list": "org",
    "supervision:bulletin": "issuer",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_filter_form_picks_the_organization_by_name(users, tree, client_for, name):
    param = PAGES[name]
    client = client_for(users.district_staff)
    html = client.get(reverse(name) + f"?{param}={tree.street_a.code}").content.decode()
    assert "data-org-picker-widget" in html and "组织代码" not in html
    assert f'name="{param}" value="{tree.street_a.code}"' in html  # the hidden code
    assert f'name="{param}_search" id=' in html and f'value="{tree.street_a.name}"' in html  # the name shown
    # a name typed without choosing a suggestion still picks it; a sibling's name is refused
    html = client.get(reverse(name) + f"?{param}_search={tree.street_a.name}").content.decode()
    assert f'name="{param}" value="{tree.street_a.code}"' in html
    assert client.get(reverse(name) + f"?{param}_search={tree.district_b.name}").status_code == 404
