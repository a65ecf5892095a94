// Copy button for a newly made API key: shown only when the Clipboard API is available (otherwise the read-only
// field can be selected and copied by hand). Texts come from data attributes rendered through gettext.
(function () {
  "use strict";
  var button = document.querySelector("[data-copy-button]");
  var source = document.querySelector("[data-copy-source]");
  var status = document.querySelector("[data-copy-status]");
  if (!button || !source) {
    return;
  }
  source.addEventListener("focus", function () {
    source.select();
  });
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(source.value).then(function () {
      if (status) {
        status.textContent = button.getAttribute("data-copied-text");
      }
    });
  });
})();
