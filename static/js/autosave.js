// Autosave for application drafts: posts the form (debounced) to its data-autosave-url after changes, shows
// "Lagret kl. HH:MM" in the aria-live region and updates the computed søknadsbeløp. Texts come from data
// attributes rendered through gettext. No inline script: loaded as a static file (Content-Security-Policy).
(function () {
  "use strict";

  var DELAY_MS = 1500;

  function init(form) {
    var url = form.getAttribute("data-autosave-url");
    var status = form.querySelector("[data-autosave-status]");
    var amount = form.querySelector("[data-soknadsbelop]");
    var timer = null;
    var inFlight = false;
    var pending = false;

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function clearFieldErrors() {
      form.querySelectorAll("[data-autosave-error]").forEach(function (el) {
        el.remove();
      });
      form.querySelectorAll("[aria-invalid='true'][data-autosave-invalid]").forEach(function (el) {
        el.removeAttribute("aria-invalid");
        el.removeAttribute("data-autosave-invalid");
      });
    }

    function showErrors(errors) {
      var messages = [];
      Object.keys(errors).forEach(function (name) {
        var list = errors[name] || [];
        messages = messages.concat(list);
        var input = form.querySelector("[name='" + name.replace(/'/g, "") + "']");
        if (input && list.length) {
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("data-autosave-invalid", "");
          var message = document.createElement("div");
          message.className = "ds-validation-message";
          message.setAttribute("data-autosave-error", "");
          message.id = (input.id || name) + "_autosave_error";
          message.textContent = list.join(" ");
          input.insertAdjacentElement("afterend", message);
          var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
          if (described.indexOf(message.id) === -1) {
            described.push(message.id);
            input.setAttribute("aria-describedby", described.join(" "));
          }
        }
      });
      say(form.getAttribute("data-error-text") + " " + messages.join(" "));
    }

    function save() {
      if (inFlight) {
        pending = true;
        return;
      }
      inFlight = true;
      var body = new FormData(form);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (result) {
          clearFieldErrors();
          if (result.ok && result.data.saved) {
            say(form.getAttribute("data-saved-text").replace("%(tid)s", result.data.lagret));
            if (amount && result.data.soknadsbelop_tekst) {
              amount.textContent = result.data.soknadsbelop_tekst;
            }
          } else if (result.data && result.data.errors) {
            showErrors(result.data.errors);
          } else {
            say(form.getAttribute("data-failed-text"));
          }
        })
        .catch(function () {
          say(form.getAttribute("data-failed-text"));
        })
        .finally(function () {
          inFlight = false;
          if (pending) {
            pending = false;
            schedule();
          }
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  document.querySelectorAll("form[data-autosave-url]").forEach(init);
})();
