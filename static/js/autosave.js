// Autosave for drafts (applications, progress reports): posts the form to its data-autosave-url after a pause,
// and at once when the user leaves: a link in the form («Vedlegg», «Gå til innsending») saves first and then
// navigates; leaving the page any other way sends the last edits with fetch(..., {keepalive: true}) on
// beforeunload/pagehide/visibilitychange. When a save cannot be made (offline, server error), the page says so
// at the top and warns before leaving (beforeunload).
//
// A save may be partial: the server saves the valid fields and returns per-field errors (shown next to each field
// and in a summary at the top of the form, with links). An application draft also carries its revision and the
// base value of every field (hidden inputs data-draft-revision / data-draft-base, grants/drafts.py): a field
// someone else changed at the same time comes back as a conflict, shown with both texts until the user chooses.
// Texts come from data attributes rendered through gettext. No inline script (Content-Security-Policy).
(function () {
  "use strict";

  var DELAY_MS = 1500;
  var SIMPLE_FIELDS = ["maal", "aktiviteter", "tidsplan", "egeninnsats", "annen_finansiering", "ansvarlig_soker"];

  function init(form) {
    var url = form.getAttribute("data-autosave-url");
    var status = form.querySelector("[data-autosave-status]");
    var summary = form.querySelector("[data-autosave-summary]");
    var summaryTitle = summary && summary.querySelector("[data-autosave-summary-title]");
    var summaryList = summary && summary.querySelector("[data-autosave-summary-list]");
    var amount = form.querySelector("[data-soknadsbelop]");
    var revisionInput = form.querySelector("[data-draft-revision]");
    var baseInput = form.querySelector("[data-draft-base]");
    var timer = null;
    var inFlight = null; // the promise of the save being sent
    var dirty = false; // edits not sent yet
    var unsaved = false; // the last save failed, or left fields unsaved (errors, conflicts)
    var leaving = false; // the user chose to leave, or posts the form with the button
    var conflicts = {};

    function text(name) {
      return form.getAttribute("data-" + name) || "";
    }

    function say(message) {
      if (status) {
        status.textContent = message;
      }
    }

    function base() {
      try {
        return JSON.parse((baseInput && baseInput.value) || "{}");
      } catch (e) {
        return {};
      }
    }

    function setBase(name, value) {
      if (!baseInput) {
        return;
      }
      var values = base();
      values[name] = value;
      baseInput.value = JSON.stringify(values);
    }

    function inputFor(name) {
      return (
        form.querySelector("[name='" + name.replace(/'/g, "") + "']") ||
        form.querySelector("[data-draft-field='" + name.replace(/'/g, "") + "']")
      );
    }

    function labelFor(input) {
      if (!input) {
        return "";
      }
      var label = input.id ? form.querySelector("label[for='" + input.id + "']") : null;
      if (!label) {
        var fieldset = input.closest("fieldset");
        label = fieldset && fieldset.querySelector("legend");
      }
      return label ? label.textContent.replace(/\s+/g, " ").trim() : "";
    }

    function anchorId(input, name) {
      if (!input.id) {
        input.id = "felt-" + name.replace(/[^a-zA-Z0-9_-]/g, "-");
      }
      return input.id;
    }

    // --- the summary at the top of the form ---------------------------------------------------------------

    function clearSummary() {
      if (summary) {
        summary.hidden = true;
        summaryList.textContent = "";
      }
    }

    function showSummary(title, items) {
      if (!summary) {
        return;
      }
      summaryTitle.textContent = title;
      summaryList.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        if (item.node) {
          li.appendChild(item.node);
        } else if (item.href) {
          var a = document.createElement("a");
          a.className = "ds-link";
          a.href = item.href;
          a.textContent = item.text;
          li.appendChild(a);
        } else {
          li.textContent = item.text;
        }
        summaryList.appendChild(li);
      });
      summary.hidden = false;
    }

    // --- errors next to the fields ---------------------------------------------------------------------------

    function clearFieldErrors() {
      form.querySelectorAll("[data-autosave-error]").forEach(function (el) {
        el.remove();
      });
      form.querySelectorAll("[data-autosave-invalid]").forEach(function (el) {
        el.removeAttribute("aria-invalid");
        el.removeAttribute("data-autosave-invalid");
      });
    }

    function markField(name, message) {
      var input = inputFor(name);
      if (!input) {
        return null;
      }
      var id = anchorId(input, name);
      if (input.matches("input, textarea, select")) {
        input.setAttribute("aria-invalid", "true");
      }
      input.setAttribute("data-autosave-invalid", "");
      var node = document.createElement("div");
      node.className = "ds-validation-message";
      node.setAttribute("data-autosave-error", "");
      node.id = id + "_autosave_error";
      node.textContent = message;
      if (input.matches("[data-draft-field]")) {
        input.insertAdjacentElement("afterbegin", node);
      } else {
        input.insertAdjacentElement("afterend", node);
        var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (described.indexOf(node.id) === -1) {
          described.push(node.id);
          input.setAttribute("aria-describedby", described.join(" "));
        }
      }
      return input;
    }

    function errorItems(errors) {
      var items = [];
      Object.keys(errors || {}).forEach(function (name) {
        var list = errors[name] || [];
        if (!list.length) {
          return;
        }
        var input = name === "__all__" ? null : markField(name, list.join(" "));
        var label = labelFor(input);
        list.forEach(function (message) {
          items.push(
            input
              ? { href: "#" + input.id, text: (label ? label + ": " : "") + message }
              : { text: message }
          );
        });
      });
      return items;
    }

    // --- conflicts ----------------------------------------------------------------------------------------------

    function conflictNode(conflict) {
      var box = document.createElement("section");
      box.className = "stack";
      box.setAttribute("data-conflict", conflict.felt);
      box.id = "konflikt-" + conflict.felt;
      var heading = document.createElement("h3");
      heading.className = "ds-heading";
      heading.setAttribute("data-size", "2xs");
      heading.textContent = conflict.etikett;
      var intro = document.createElement("p");
      intro.className = "ds-paragraph";
      intro.textContent = text("conflict-text");
      box.appendChild(heading);
      box.appendChild(intro);
      [
        [text("mine-text"), conflict.min, "data-conflict-mine"],
        [text("theirs-text"), conflict.lagret, "data-conflict-theirs"],
      ].forEach(function (part) {
        var wrap = document.createElement("div");
        wrap.className = "ds-field";
        var label = document.createElement("span");
        label.className = "ds-label";
        label.textContent = part[0];
        var body = document.createElement("pre");
        body.className = "ds-paragraph conflict-text";
        body.setAttribute(part[2], "");
        body.textContent = part[1];
        wrap.appendChild(label);
        wrap.appendChild(body);
        box.appendChild(wrap);
      });
      var actions = document.createElement("div");
      actions.className = "form-actions";
      var keep = document.createElement("button");
      keep.type = "button";
      keep.className = "ds-button";
      keep.setAttribute("data-variant", "primary");
      keep.textContent = text("keep-mine-text");
      keep.addEventListener("click", function () {
        setBase(conflict.felt, conflict.verdi); // my value is now a change from the saved one
        delete conflicts[conflict.felt];
        dirty = true;
        save();
      });
      var use = document.createElement("button");
      use.type = "button";
      use.className = "ds-button";
      use.setAttribute("data-variant", "secondary");
      use.textContent = text("use-theirs-text");
      use.addEventListener("click", function () {
        delete conflicts[conflict.felt];
        setBase(conflict.felt, conflict.verdi);
        if (useSaved(conflict.felt, conflict.verdi)) {
          dirty = true;
          save();
        } else {
          // Budget lines and partners: the saved version is shown by loading the page again.
          save().then(function () {
            leaving = true;
            window.location.reload();
          });
        }
      });
      actions.appendChild(keep);
      actions.appendChild(use);
      box.appendChild(actions);
      return box;
    }

    function useSaved(name, value) {
      if (SIMPLE_FIELDS.indexOf(name) !== -1) {
        var input = form.querySelector("[name='" + name + "']");
        if (input) {
          input.value = value === null ? "" : String(value);
          return true;
        }
      }
      if (name === "tjenester" && Array.isArray(value)) {
        form.querySelectorAll("input[name='tjenester']").forEach(function (box) {
          box.checked = value.indexOf(parseInt(box.value, 10)) !== -1;
        });
        return true;
      }
      return false;
    }

    function conflictItems() {
      return Object.keys(conflicts).map(function (name) {
        markField(name, text("conflict-text"));
        return { node: conflictNode(conflicts[name]) };
      });
    }

    // --- saving ----------------------------------------------------------------------------------------------

    function applyResult(data, sentBody) {
      if (revisionInput && data.revisjon !== undefined) {
        revisionInput.value = data.revisjon;
      }
      if (baseInput && data.base) {
        baseInput.value = JSON.stringify(data.base);
      }
      // Fields someone else changed that this user has not touched: take their value in.
      var others = [];
      Object.keys(data.oppdatert || {}).forEach(function (name) {
        var input = form.querySelector("[name='" + name + "']");
        if (input && document.activeElement !== input && input.value === (sentBody.get(name) || "")) {
          input.value = data.oppdatert[name] === null ? "" : String(data.oppdatert[name]);
          setBase(name, data.oppdatert[name]);
          others.push(labelFor(input));
        }
      });
      (data.endret_av_andre || []).forEach(function (label) {
        others.push(label);
      });
      conflicts = {};
      (data.konflikter || []).forEach(function (conflict) {
        conflicts[conflict.felt] = conflict;
      });
      clearFieldErrors();
      var items = errorItems(data.errors).concat(conflictItems());
      if (amount && data.soknadsbelop_tekst) {
        amount.textContent = data.soknadsbelop_tekst;
      }
      if (items.length) {
        unsaved = true;
        var title = data.lagret
          ? text("partial-text").replace("%(tid)s", data.lagret)
          : text("error-text");
        showSummary(title, items);
        say(title);
        return "partial";
      }
      unsaved = false;
      clearSummary();
      var saved = text("saved-text").replace("%(tid)s", data.lagret || "");
      if (others.length) {
        showSummary(text("others-text"), others.map(function (label) { return { text: label }; }));
      }
      say(saved);
      return "ok";
    }

    function failed() {
      unsaved = true;
      dirty = true; // try again with the next change or when leaving
      say(text("failed-text"));
      showSummary(text("failed-text"), []);
      return "failed";
    }

    function send(keepalive) {
      var body = new FormData(form);
      dirty = false;
      var options = {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
      };
      if (keepalive) {
        options.keepalive = true;
      }
      return fetch(url, options)
        .then(function (response) {
          if (response.status >= 500 || response.status === 403) {
            return failed();
          }
          return response.json().then(function (data) {
            return applyResult(data, body);
          }, failed);
        })
        .catch(failed);
    }

    function save() {
      window.clearTimeout(timer);
      timer = null;
      if (inFlight) {
        // One save at a time: the next one goes out when this one is answered, with the form as it is then.
        return inFlight.then(function (result) {
          return dirty ? save() : result;
        });
      }
      say(text("saving-text"));
      inFlight = send(false).then(function (result) {
        inFlight = null;
        if (dirty && result !== "failed") {
          schedule();
        }
        return result;
      });
      return inFlight;
    }

    function schedule() {
      dirty = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY_MS);
    }

    // --- leaving -----------------------------------------------------------------------------------------------

    function saveOnLeave() {
      if (leaving || !(dirty || inFlight)) {
        return;
      }
      window.clearTimeout(timer);
      timer = null;
      send(true); // keepalive: the request outlives the page
    }

    function followAfterSave(event) {
      var link = event.target.closest("a[href]");
      if (!link || !form.contains(link) || event.defaultPrevented) {
        return;
      }
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return;
      }
      if (link.target && link.target !== "_self") {
        return;
      }
      if (!(dirty || inFlight || timer || unsaved)) {
        return;
      }
      event.preventDefault();
      var href = link.href;
      var go = function () {
        leaving = true;
        window.location.assign(href);
      };
      var pending = dirty || inFlight || timer ? save() : Promise.resolve(unsaved ? "partial" : "ok");
      pending.then(function (result) {
        if (result === "ok" && !unsaved) {
          go();
          return;
        }
        if (summary && !summary.hidden) {
          summary.focus();
        }
        if (window.confirm(text("leave-text"))) {
          go();
        }
      });
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function () {
      leaving = true; // the button posts everything; nothing to save on the way out
      window.clearTimeout(timer);
    });
    form.addEventListener("click", followAfterSave);
    window.addEventListener("beforeunload", function (event) {
      if (leaving) {
        return;
      }
      if (unsaved || (dirty && !navigator.onLine)) {
        event.preventDefault();
        event.returnValue = ""; // the browser's own "leave the page?" question
        return;
      }
      saveOnLeave();
    });
    window.addEventListener("pagehide", saveOnLeave);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        saveOnLeave();
      }
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        leaving = false; // back from the page cache
      }
    });
  }

  document.querySelectorAll("form[data-autosave-url]").forEach(init);
})();
