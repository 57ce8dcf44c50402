/* Small enhancements on top of htmx: upload previews and progress, the offer mode switch. */
(function () {
  "use strict";

  function showPreviews(input) {
    var form = input.closest("form");
    var box = form && form.querySelector("[data-previews]");
    if (!box) return;
    box.querySelectorAll("img,video").forEach(function (el) { URL.revokeObjectURL(el.src); });
    box.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      var item = document.createElement("div");
      item.className = "preview";
      var media;
      if (file.type.indexOf("video/") === 0) {
        media = document.createElement("video");
        media.muted = true;
        media.preload = "metadata";
      } else {
        media = document.createElement("img");
        media.alt = file.name;
      }
      media.src = URL.createObjectURL(file);
      var name = document.createElement("span");
      name.textContent = file.name;
      item.appendChild(media);
      item.appendChild(name);
      box.appendChild(item);
    });
  }

  function syncOfferMode(form) {
    var checked = form.querySelector("input[name=mode]:checked");
    var mode = checked ? checked.value : "amount";
    form.querySelectorAll("[data-mode-field]").forEach(function (el) {
      el.hidden = el.getAttribute("data-mode-field") !== mode;
    });
  }

  function init(root) {
    root.querySelectorAll("[data-offer-form]").forEach(syncOfferMode);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("input[type=file]")) showPreviews(target);
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
