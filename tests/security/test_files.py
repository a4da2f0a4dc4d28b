"""Finding 1: stored files only through scoped views; names not derivable; audited when personal."""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.urls import Resolver404, resolve, reverse

from apps.core.models import AuditLog
from apps.members.recruitment import recruitment_add_document, recruitment_create
from apps.supervision.services import letter_answer
from tests.factories.members import make_id_number
from tests.factories.supervision import make_letter

from .conftest import pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(tree, users, media_root):
    letter = make_letter(tree.street_a, tree.branch_a)
    letter_answer(acting_user=users.secretary_a, letter=letter, answer="已整改", files=[pdf_file("整改材料.pdf")])
    return letter.attachments.get()


def test_no_media_route_exists_in_any_mode(settings):
    for debug in (True, False):
        settings.DEBUG = debug
        with pytest.raises(Resolver404):
            resolve("/media/letters/2026/11/x.pdf")


def test_stored_file_names_are_random_not_the_upload_name(answered):
    base = os.path.basename(answered.file.name)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", base), base
    assert "整改" not in answered.file.name


def test_anonymous_user_cannot_fetch_a_letter_attachment(client, answered):
    resp = client.get(reverse("supervision:letter_attachment", args=[answered.pk]))
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_sibling_branch_gets_404_on_a_letter_attachment(client_for, users, answered):
    resp = client_for(users.secretary_b).get(reverse("supervision:letter_attachment", args=[answered.pk]))
    assert resp.status_code == 404


def test_addressee_downloads_the_attachment_as_an_attachment_never_sniffed(client_for, users, answered):
    resp = client_for(users.secretary_a).get(reverse("supervision:letter_attachment", args=[answered.pk]))
    assert resp.status_code == 200
    assert resp["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in resp["Content-Disposition"]
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert b"".join(resp.streaming_content).startswith(b"%PDF-")


def test_letter_page_and_api_link_the_scoped_view_not_a_media_url(client_for, api_for, users, answered):
    url = reverse("supervision:letter_attachment", args=[answered.pk])
    html = client_for(users.secretary_a).get(reverse("supervision:letter_detail", args=[answered.letter_id])).content
    assert url.encode() in html and b"/media/" not in html
    data = api_for(users.secretary_a).get(f"/api/v1/letters/{answered.letter_id}/").json()
    assert data["attachments"] == [{"name": "整改材料.pdf", "url": url}]


def _recruitment(tree, users):
    return recruitment_create(
        acting_user=users.district_staff,
        organization=tree.branch_a,
        name="申请人甲",
        id_number=make_id_number(),
        applied_on=datetime.date(2025, 1, 1),
    )


def test_recruitment_document_download_is_scoped_and_audited(tree, users, client_for, media_root):
    rec = _recruitment(tree, users)
    doc = recruitment_add_document(
        acting_user=users.district_staff, recruitment=rec, stage="applicant", title="入党申请书", file=pdf_file()
    )
    url = reverse("members:recruitment_document_file", args=[doc.pk])
    assert client_for(users.secretary_b).get(url).status_code == 404
    before = AuditLog.objects.filter(event="recruitmentdocument.download").count()
    resp = client_for(users.district_staff).get(url)
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment;")
    row = AuditLog.objects.filter(event="recruitmentdocument.download").latest("id")
    assert AuditLog.objects.filter(event="recruitmentdocument.download").count() == before + 1
    assert row.action == AuditLog.Action.VIEW_PII and row.actor_id == users.district_staff.pk
    page = client_for(users.district_staff).get(reverse("members:recruitment_detail", args=[rec.pk])).content
    assert url.encode() in page and b"/media/" not in page


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("申请书.pdf", b"<html><script>alert(1)</script></html>"),
        ("x.exe.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
        ("申请书.docx", b"PK\x03\x04 not really a docx"),
    ],
)
def test_recruitment_documents_are_checked_by_content(tree, users, media_root, name, body):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    rec = _recruitment(tree, users)
    with pytest.raises(ValidationError) as exc:
        recruitment_add_document(
            acting_user=users.district_staff,
            recruitment=rec,
            stage="applicant",
            title="申请书",
            file=SimpleUploadedFile(name, body),
        )
    assert "file" in exc.value.message_dict


def test_ledger_attachment_types_parameter_cannot_let_html_through(tree, users, media_root):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.core.models import Parameter
    from apps.core.params import invalidate
    from apps.responsibility.validators import validate_attachment

    Parameter.objects.update_or_create(key="ledger_attachment_types", defaults={"value": "pdf,html,svg"})
    invalidate()
    with pytest.raises(ValidationError):
        validate_attachment(SimpleUploadedFile("x.html", b"<html><script>alert(1)</script></html>"))
    with pytest.raises(ValidationError):
        validate_attachment(SimpleUploadedFile("x.svg", b"<svg onload='alert(1)'/>"))
