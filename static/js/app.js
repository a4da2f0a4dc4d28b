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
  // Organization picker: suggestions from the scoped lookup endpoint into a shared <datalist>.
  var timer = null;
  document.addEventListener("input", function (ev) {
    var input = ev.target;
    if (!input.matches("[data-org-picker]")) return;
    var list = document.getElementById("org-picker-options");
    if (!list) {
      list = document.createElement("datalist");
      list.id = "org-picker-options";
      document.body.appendChild(list);
    }
    input.setAttribute("list", "org-picker-options");
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (input.value.trim().length < 1) return;
      fetch("/organizations/lookup/?q=" + encodeURIComponent(input.value.trim()), {credentials: "same-origin"})
        .then(function (r) { return r.text(); })
        .then(function (html) { list.innerHTML = html; });
    }, 250);
  });
})();
// Print buttons (no inline handlers: strict CSP).
document.addEventListener("click", function (ev) {
  var btn = ev.target.closest("[data-action='print']");
  if (btn) { ev.preventDefault(); window.print(); }
});
