// Print buttons on printable documents: <button data-print> (no inline onclick under the CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    if (ev.target.closest("[data-print]")) window.print();
  });
})();
