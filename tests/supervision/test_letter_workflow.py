import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.notifications.models import Notice
from apps.supervision import services
from apps.supervision.models import Letter
from tests.factories.supervision import make_letter

pytestmark = pytest.mark.django_db


def test_addressee_opening_the_letter_is_the_read_receipt(tree, users, client_for):
    letter = make_letter(tree.city, tree.branch_a)
    client_for(users.street_staff).get(letter.get_absolute_url())
    letter.refresh_from_db()
    assert letter.status == "sent"  # someone above looking is not a receipt
    resp = client_for(users.secretary_a).get(letter.get_absolute_url())
    assert resp.status_code == 200
    letter.refresh_from_db()
    assert letter.status == "read" and letter.read_by == users.secretary_a


def test_addressee_answers_with_attachment_and_issuer_is_notified(
    tree, users, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    letter = make_letter(tree.city, tree.branch_a)
    f = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4 report")
    client = client_for(users.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            reverse("supervision:letter_answer", args=[letter.pk]), {"answer": "已召开支委会整改", "files": f}
        )
    assert resp.status_code == 302
    letter.refresh_from_db()
    assert letter.status == "answered" and letter.answer == "已召开支委会整改"
    assert letter.attachments.get().name == "整改报告.pdf"
    assert Notice.objects.filter(
        recipient=users.city_staff, title__contains="已答复", link=letter.get_absolute_url()
    ).exists()


def test_empty_answer_shows_the_chinese_field_error(tree, users, client_for):
    letter = make_letter(tree.city, tree.branch_a)
    resp = client_for(users.secretary_a).post(reverse("supervision:letter_answer", args=[letter.pk]), {"answer": "  "})
    assert resp.status_code == 200
    assert "请填写答复内容" in resp.content.decode()
    letter.refresh_from_db()
    assert letter.status == "read"


def test_only_the_addressee_can_answer(tree, users):
    letter = make_letter(tree.city, tree.branch_a)
    with pytest.raises(PermissionDenied):
        services.letter_answer(acting_user=users.street_staff, letter=letter, answer="代答")


def test_issuer_closes_an_answered_letter(tree, users, client_for):
    letter = make_letter(tree.city, tree.branch_a)
    services.letter_answer(acting_user=users.secretary_a, letter=letter, answer="已办")
    resp = client_for(users.city_staff).post(
        reverse("supervision:letter_close", args=[letter.pk]), {"note": "同意办结"}
    )
    assert resp.status_code == 302
    letter.refresh_from_db()
    assert letter.status == "closed" and letter.closed_by == users.city_staff


def test_closing_an_unanswered_letter_needs_a_note(tree, users, client_for):
    letter = make_letter(tree.city, tree.branch_a)
    resp = client_for(users.city_staff).post(reverse("supervision:letter_close", args=[letter.pk]), {"note": ""})
    assert resp.status_code == 200
    assert "收函单位尚未答复，办结须填写办结意见" in resp.content.decode()


def test_an_organization_below_the_issuer_cannot_close(tree, users):
    letter = make_letter(tree.city, tree.branch_a)
    services.letter_answer(acting_user=users.secretary_a, letter=letter, answer="已办")
    with pytest.raises(PermissionDenied):
        services.letter_close(acting_user=users.street_staff, letter=letter)


def test_closed_letter_cannot_be_answered(tree, users):
    letter = make_letter(tree.city, tree.branch_a)
    services.letter_close(acting_user=users.city_staff, letter=letter, note="无需答复")
    with pytest.raises(ValidationError):
        services.letter_answer(acting_user=users.secretary_a, letter=Letter.objects.get(pk=letter.pk), answer="x")


def test_overdue_is_derived_from_deadline_and_status():
    letter = Letter(status="read", response_deadline=datetime.date(2026, 11, 8))
    assert letter.is_overdue(datetime.date(2026, 11, 9))
    assert not letter.is_overdue(datetime.date(2026, 11, 8))
    letter.status = "answered"
    assert not letter.is_overdue(datetime.date(2026, 12, 1))


def test_hand_written_letter_from_the_page(tree, users, client_for):
    resp = client_for(users.district_staff).post(
        reverse("supervision:letter_create"),
        {"addressee": tree.branch_a.code, "kind": "supervision", "period": "2026-11",
         "items": "10月台账未提交\n\n主题党日未开展", "response_days": "5"},
    )  # fmt: skip
    assert resp.status_code == 302
    letter = Letter.objects.get()
    assert letter.is_manual and letter.issuer == tree.district_a and letter.created_by == users.district_staff
    assert [i.title for i in letter.items.all()] == ["10月台账未提交", "主题党日未开展"]
    assert Notice.objects.filter(recipient=users.secretary_a, link=letter.get_absolute_url()).exists()


def test_second_hand_written_letter_of_the_same_kind_and_month_is_refused(tree, users, client_for):
    make_letter(tree.district_a, tree.branch_a, kind="supervision", period="2026-11")
    resp = client_for(users.district_staff).post(
        reverse("supervision:letter_create"),
        {
            "addressee": tree.branch_a.code,
            "kind": "supervision",
            "period": "2026-11",
            "items": "x",
            "response_days": "5",
        },
    )
    assert resp.status_code == 200
    assert "已向该组织发出过同类函件" in resp.content.decode()


def test_hand_written_letter_to_an_organization_out_of_scope_is_refused(tree, users, client_for):
    resp = client_for(users.district_staff).post(
        reverse("supervision:letter_create"),
        {
            "addressee": tree.branch_c.code,
            "kind": "supervision",
            "period": "2026-11",
            "items": "x",
            "response_days": "5",
        },
    )
    assert resp.status_code == 200
    assert "找不到该党组织，或不在您的管理范围内" in resp.content.decode()
    assert not Letter.objects.exists()


def test_print_page_shows_the_formal_document(tree, users, client_for):
    letter = make_letter(tree.city, tree.branch_a, items=["换届选举"])
    html = client_for(users.city_staff).get(reverse("supervision:letter_print", args=[letter.pk])).content.decode()
    assert letter.number_display in html and "换届选举" in html and tree.city.name in html


def test_api_answer_and_close(tree, users, api_for):
    letter = make_letter(tree.city, tree.branch_a)
    resp = api_for(users.secretary_a).post(f"/api/v1/letters/{letter.pk}/answer/", {"answer": "已办结"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "answered"
    resp = api_for(users.city_staff).post(f"/api/v1/letters/{letter.pk}/close/", {}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "closed"


def test_api_answer_empty_is_400_with_field(tree, users, api_for):
    letter = make_letter(tree.city, tree.branch_a)
    resp = api_for(users.secretary_a).post(f"/api/v1/letters/{letter.pk}/answer/", {"answer": ""}, format="json")
    assert resp.status_code == 400 and "answer" in resp.json()


def test_api_hand_written_letter(tree, users, api_for):
    resp = api_for(users.district_staff).post(
        "/api/v1/letters/",
        {"addressee": tree.branch_b.pk, "kind": "reminder", "period": "2026-11", "items": ["请按时提交台账"]},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["items"][0]["title"] == "请按时提交台账"


def test_accountability_opened_from_a_warning_letter(tree, users, client_for):
    from apps.supervision.models import Accountability

    letter = make_letter(tree.district_a, tree.branch_a, kind="warning")
    url = reverse("supervision:letter_accountability", args=[letter.pk])
    resp = client_for(users.district_staff).post(url, {"basis": ""})
    assert resp.status_code == 200 and "请填写问责依据" in resp.content.decode()
    resp = client_for(users.district_staff).post(url, {"basis": "预警后仍未整改"})
    assert resp.status_code == 302
    case = Accountability.objects.get()
    assert case.organization == tree.branch_a and list(case.letters.all()) == [letter]
    assert client_for(users.secretary_a).post(url, {"basis": "x"}).status_code == 403
    detail = reverse("supervision:accountability_detail", args=[case.pk])
    staff = client_for(users.district_staff)
    resp = staff.post(detail, {"kind": "interview", "decision": "约谈支部书记", "decided_on": "2026-11-20"})
    assert resp.status_code == 302
    page = staff.get(detail).content.decode()
    assert "已作出处理决定" in page and "已保存" not in page  # the verb of the action, not a generic 已保存


def test_reminder_letter_cannot_open_a_case(tree, users, client_for):
    letter = make_letter(tree.district_a, tree.branch_a, kind="reminder")
    resp = client_for(users.district_staff).post(
        reverse("supervision:letter_accountability", args=[letter.pk]), {"basis": "x"}
    )
    assert "只有预警函可以直接启动问责" in resp.content.decode()


def test_api_hand_written_letter_from_due_items_links_back(tree, users, api_for):
    resp = api_for(users.district_staff).post(
        "/api/v1/letters/",
        {"addressee": tree.branch_a.pk, "kind": "supervision", "period": "2026-11",
         "items": [{"title": "任务逾期", "kind": "task_overdue", "due_date": "2026-10-31",
                    "object_ref": f"organizations.organization:{tree.branch_a.pk}"}, "另附一项"]},
        format="json",
    )  # fmt: skip
    assert resp.status_code == 201, resp.content
    items = resp.json()["items"]
    assert (
        items[0]["object_ref"] == f"organizations.organization:{tree.branch_a.pk}"
        and items[0]["due_date"] == "2026-10-31"
    )
    assert items[1]["title"] == "另附一项"
    bad = api_for(users.district_staff).post(
        "/api/v1/letters/",
        {"addressee": tree.branch_b.pk, "kind": "supervision", "period": "2026-11", "items": [{"title": ""}]},
        format="json",
    )
    assert bad.status_code == 400


def test_answer_attachment_of_a_refused_type_is_a_field_error(tree, users, client_for):
    letter = make_letter(tree.city, tree.branch_a)
    f = SimpleUploadedFile("run.exe", b"MZ\x90\x00")
    resp = client_for(users.secretary_a).post(
        reverse("supervision:letter_answer", args=[letter.pk]), {"answer": "已办", "files": f}
    )
    assert resp.status_code == 200 and "附件类型不允许" in resp.content.decode()
    letter.refresh_from_db()
    assert letter.status == "read"
