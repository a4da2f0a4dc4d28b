// Small behaviours shared by all pages. No framework; htmx does the partial loads.
(function () {
  "use strict";
  // Tree: toggle the children list when a caret is clicked (htmx loads them once).
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".org-tree .toggle");
    if (!btn) return;
    var list = btn.closest(".org-node").querySelector(":scope > .children");
    var open = btn.getAttribute("aria-expanded") === "true";
    btn.setAttribute("aria-expanded", open ? "false" : "true");
    list.hidden = open;
  });
  // Confirmation before a consequential submit: data-confirm on the form or on its submit button.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var btn = ev.submitter;
    var text = (btn && btn.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) ev.preventDefault();
  });
  // "Select all" checkbox for a column of checkboxes: data-select-all="<name of the checkboxes>".
  document.addEventListener("change", function (ev) {
    var box = ev.target;
    if (!box.matches("[data-select-all]")) return;
    var scope = box.closest("form") || document;
    scope.querySelectorAll('input[type="checkbox"][name="' + box.getAttribute("data-select-all") + '"]')
      .forEach(function (cb) { cb.checked = box.checked; });
  });
  // "Cancel" links that go back when there is somewhere to go back to (no javascript: URLs under the CSP).
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest("[data-history-back]");
    if (link && window.history.length > 1) {
      ev.preventDefault();
      window.history.back();
    }
  });
})();
// Print buttons (no inline handlers: strict CSP).
document.addEventListener("click", function (ev) {
  var btn = ev.target.closest("[data-action='print']");
  if (btn) { ev.preventDefault(); window.print(); }
});
// Select-all checkboxes: <input type="checkbox" data-select-all="NAME"> ticks every checkbox named NAME in
// the same form; [data-selected-count] in that form shows how many are ticked.
(function () {
  "use strict";
  function refresh(form) {
    var out = form && form.querySelector("[data-selected-count]");
    if (out) out.textContent = form.querySelectorAll("input[type=checkbox][name]:not([data-select-all]):checked").length;
  }
  document.addEventListener("change", function (ev) {
    var box = ev.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    var form = box.form || box.closest("form") || document;
    var name = box.getAttribute("data-select-all");
    if (name) {
      form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) {
        if (b.disabled || b.closest("[hidden]") || b.checked === box.checked) return;
        b.checked = box.checked;
        b.dispatchEvent(new Event("change", {bubbles: true}));  // other scripts react (reason boxes)
      });
    }
    refresh(box.form);
  });
})();
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-selected-count]").forEach(function (out) {
    var form = out.closest("form");
    if (form) out.textContent = form.querySelectorAll("input[type=checkbox][name]:not([data-select-all]):checked").length;
  });
});
// <form data-confirm="..."> asks before submitting (ledger submission, revoking an issuance).
document.addEventListener("submit", function (ev) {
  var text = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
  if (text && !window.confirm(text)) ev.preventDefault();
});
