// Prioritisation board: save a row with fetch and update "sum proposed" and "remaining frame" without reloading.
// Batch decision letters: poll the progress while letters are being made.
// Without JavaScript the forms post normally and the page reloads.
(function () {
  "use strict";

  function setText(selector, text) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = text; });
  }

  function initBoard() {
    var status = document.querySelector("[data-board-status]");
    document.querySelectorAll("form[data-board-row]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.fetch || !window.FormData) { return; }
        event.preventDefault();
        var button = document.querySelector('button[form="' + form.id + '"]');
        if (button) { button.disabled = true; }
        fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
        }).then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        }).then(function (result) {
          var data = result.data;
          setText("[data-board-sum]", data.foreslatt_tekst);
          setText("[data-board-remaining]", data.igjen_tekst);
          document.querySelectorAll("[data-board-remaining]").forEach(function (el) {
            el.classList.toggle("over-frame", !!data.over);
          });
          if (status) { status.textContent = data.melding; }
          form.closest("tr").toggleAttribute("data-error", !result.ok);
        }).catch(function () {
          form.submit();  // fall back to an ordinary post
        }).finally(function () {
          if (button) { button.disabled = false; }
        });
      });
    });
  }

  function initLetters() {
    var box = document.querySelector("[data-letters-progress]");
    if (!box || !window.fetch) { return; }
    var status = box.querySelector("[data-letters-status]");
    var bar = box.querySelector("[data-letters-bar]");
    if (!bar) { return; }  // nothing running
    function poll() {
      fetch(box.getAttribute("data-letters-progress"), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (r) { return r.json(); }).then(function (data) {
        if (status) { status.textContent = data.text; }
        bar.max = data.total || 1;
        bar.value = data.done;
        if (!data.finished) { window.setTimeout(poll, 1500); }
      }).catch(function () { /* keep the last figure shown */ });
    }
    poll();
  }

  function init() { initBoard(); initLetters(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
