// Dues month page: tick everyone, or apply one date and method to the ticked rows.
(function () {
  "use strict";
  var form = document.getElementById("dues-month-form");
  if (!form) return;
  var all = form.querySelector("[data-dues-all]");
  if (all) {
    all.addEventListener("click", function () {
      form.querySelectorAll(".dues-paid:not(:disabled)").forEach(function (box) { box.checked = true; });
    });
  }
  var apply = form.querySelector("[data-dues-apply]");
  if (apply) {
    apply.addEventListener("click", function () {
      var date = document.getElementById("dues-date-all").value;
      var method = document.getElementById("dues-method-all").value;
      form.querySelectorAll("tr[data-member]").forEach(function (row) {
        var box = row.querySelector(".dues-paid");
        if (!box || !box.checked) return;
        if (date) row.querySelector(".dues-date").value = date;
        row.querySelector(".dues-method").value = method;
      });
    });
  }
})();
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (btn) {
    btn.addEventListener("click", function () { window.print(); });
  });
})();
// Six-colour card swatches take their colour from data (no inline style attributes under the CSP).
(function () {
  "use strict";
  document.querySelectorAll(".card-swatch[data-colour]").forEach(function (el) {
    var c = el.getAttribute("data-colour");
    if (/^#[0-9a-fA-F]{3,6}$/.test(c)) el.style.backgroundColor = c;
  });
})();
