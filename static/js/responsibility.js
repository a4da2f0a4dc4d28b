// Responsibility pages: the review buttons, and the meeting attendance checklist.
(function () {
  "use strict";
  // The 退回 button needs a reason in the comment box (the server checks it too).
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button[data-needs-comment]");
    if (!btn) return;
    var box = btn.form && btn.form.querySelector("[name=comment]");
    if (box && !box.value.trim()) {
      ev.preventDefault();
      box.classList.add("is-invalid");
      box.focus();
      window.alert(btn.getAttribute("data-needs-comment"));
    }
  });

  var form = document.getElementById("meeting-form");
  if (!form) return;
  var kind = form.querySelector("[name=kind]");
  var group = form.querySelector("[name=party_group]");

  // The reason box only for members marked absent.
  function syncRow(row) {
    var check = row.querySelector(".attendee-check");
    var box = row.querySelector(".reason-box");
    if (check && box) box.hidden = check.checked || row.hidden;
  }
  // A committee meeting lists the committee; a group meeting the group's members; the others everyone.
  function filterRows() {
    var k = kind ? kind.value : "";
    var g = group ? group.value : "";
    var rows = Array.prototype.slice.call(form.querySelectorAll(".attendee"));
    var wanted = function (row) {
      if (k === "committee_meeting") return row.getAttribute("data-committee") === "1";
      if (k === "group_meeting" && g) return row.getAttribute("data-group") === g;
      return true;
    };
    // No committee or group recorded on the roster yet: list everyone (as the server does).
    var any = rows.some(wanted);
    rows.forEach(function (row) {
      row.hidden = any && !wanted(row);
      syncRow(row);
    });
  }
  form.addEventListener("change", function (ev) {
    if (ev.target.classList.contains("attendee-check")) syncRow(ev.target.closest(".attendee"));
    if (ev.target === kind || ev.target === group) filterRows();
  });
  filterRows();
})();
