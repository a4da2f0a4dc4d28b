// Assessment pages: compute-job progress polling, confirm-before-submit, print button. No inline scripts (CSP).
(function () {
  "use strict";
  function paintBars(root) {
    root.querySelectorAll(".job-bar").forEach(function (bar) {
      bar.style.width = (bar.dataset.percent || 0) + "%";
    });
  }
  function poll() {
    var box = document.getElementById("compute-job");
    if (!box || !box.dataset.poll) return;
    window.setTimeout(function () {
      fetch(box.dataset.poll, { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var tmp = document.createElement("div");
          tmp.innerHTML = html.trim();
          var fresh = tmp.firstElementChild;
          if (!fresh) return;
          box.replaceWith(fresh);
          paintBars(fresh);
          if (fresh.dataset.poll) poll(); else window.location.reload();
        });
    }, 2000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    paintBars(document);
    poll();
    document.querySelectorAll("form.confirm-submit").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.dataset.confirm)) e.preventDefault();
      });
    });
    var btn = document.getElementById("print-button");
    if (btn) btn.addEventListener("click", function () { window.print(); });
  });
})();
