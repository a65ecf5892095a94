// The main menu on small screens: the navigation collapses behind a «Meny» button (aria-expanded), opened and
// closed with the button (Enter or Space) and closed with Escape. Without JavaScript the menu stays open.
(function () {
  "use strict";
  function setUp() {
    var nav = document.querySelector("[data-menu]");
    if (!nav) return;
    var button = nav.querySelector("[data-menu-toggle]");
    var list = document.getElementById(button.getAttribute("aria-controls"));
    if (!button || !list) return;
    nav.classList.add("site-nav--collapsible");
    button.hidden = false;
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("site-nav--open", open);
    }
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        set(false);
        button.focus();
      }
    });
    set(false);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
