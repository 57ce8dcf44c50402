/* Small enhancements on top of htmx: upload progress, the offer mode switch (the photo
   picker is picker.js). */
(function () {
  "use strict";

  function syncOfferMode(form) {
    var checked = form.querySelector("input[name=mode]:checked");
    var mode = checked ? checked.value : "amount";
    form.querySelectorAll("[data-mode-field]").forEach(function (el) {
      el.hidden = el.getAttribute("data-mode-field") !== mode;
    });
  }

  /* After a refused form, put the focus on its first error (a screen reader reads it). */
  function focusFirstError(root) {
    var field = root.querySelector && root.querySelector(
      ".has-error input:not([type=hidden]), .has-error select, .has-error textarea, .form-errors"
    );
    if (!field) return;
    if (!field.matches("input, select, textarea")) field.setAttribute("tabindex", "-1");
    field.focus();
  }

  function init(root) {
    root.querySelectorAll("[data-offer-form]").forEach(syncOfferMode);
    focusFirstError(root);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-offer-form] input[name=mode]")) syncOfferMode(target.closest("form"));
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = event.target.querySelector && event.target.querySelector("[data-progress]");
    if (!bar || !event.detail.lengthComputable) return;
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
