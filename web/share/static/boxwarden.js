// boxwarden-web: small conveniences only (the page works without them):
// confirm dialogs, copy the shown password, select all rows.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (ev) {
      if (!window.confirm(el.getAttribute("data-confirm"))) ev.preventDefault();
    });
  });
  document.querySelectorAll("[data-copy]").forEach(function (el) {
    el.addEventListener("click", function () {
      var src = document.getElementById(el.getAttribute("data-copy"));
      if (src && navigator.clipboard) navigator.clipboard.writeText(src.textContent);
    });
  });
  document.querySelectorAll(".select-all").forEach(function (el) {
    el.addEventListener("change", function () {
      document.querySelectorAll(".row-select").forEach(function (box) { box.checked = el.checked; });
    });
  });
});
