/* Behaviours every page shares, declared with data attributes instead of inline handlers (the
 * Content-Security-Policy allows no inline script: docs/security.md).
 *   <select data-autosubmit>  submits its form when changed.
 */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });
})();
