import pytest

from apps.service_requests.models import ServiceRequest, ServiceStep
from tests.factories.accounts import make_user
from tests.factories.members import make_member
from tests.factories.service_requests import make_category

pytestmark = pytest.mark.django_db(transaction=True)
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_community_worker_registers_assigns_closes_with_evidence_and_follows_up(tree, page_for, tmp_path):
    from apps.core.workdays import invalidate

    invalidate()
    make_category(tree.city, name="民事代办", closure=5)
    make_member(tree.branch_a, name="李志强")
    worker = make_user(tree.branch_a, "committee_staff", username="worker_e2e")
    page = page_for(worker)
    page.click("nav >> text=为民服务")
    page.click("text=民情流水线")
    page.click("text=登记服务事项")
    page.select_option("#id_channel", "phone")
    page.fill("#id_requester_name", "王秀英")
    page.fill("#id_requester_phone", "13812345678")
    page.fill("#id_content", "独居老人需要代办医保报销")
    page.click("button:has-text('提交')")
    page.wait_for_selector("#sr-timeline")
    assert "已登记" in page.inner_text("#sr-status")
    req = ServiceRequest.objects.get()

    page.click("#sr-actions >> text=受理")
    page.click("button:has-text('提交')")
    page.wait_for_selector("#sr-status:has-text('已受理')")
    page.click("#sr-actions >> text=分派")
    page.select_option("#id_assignee_member", label="李志强")
    page.click("button:has-text('提交')")
    page.wait_for_selector("#sr-assignee:has-text('李志强')")

    evidence = tmp_path / "办结凭证.png"
    evidence.write_bytes(PNG)
    page.click("#sr-actions >> text=办结")
    page.fill("#id_result", "已代办医保报销，款项到账")
    page.set_input_files("#id_attachment", str(evidence))
    page.click("button:has-text('提交')")
    page.wait_for_selector("#sr-status:has-text('已办结')")
    assert "办结凭证.png" in page.inner_text("#sr-timeline")

    page.click("#sr-actions >> text=回访")
    page.check("input[name=satisfaction][value=satisfied]")
    page.fill("#id_note", "群众表示满意")
    page.click("button:has-text('提交')")
    page.wait_for_selector("#sr-status:has-text('已回访')")
    page.screenshot(path="/tmp/service/e2e_request.png", full_page=True)

    req.refresh_from_db()
    assert req.status == "followed_up" and req.satisfaction == "satisfied" and req.closed_on_time
    assert list(ServiceStep.objects.filter(request=req).values_list("action", flat=True)) == [
        "register", "accept", "assign", "answer", "follow_up",
    ]  # fmt: skip
    # the phone is masked on the page for this worker until revealed
    assert "138****5678" in page.inner_text("#sr-requester")
