// The phone menu: on narrow screens the account and main menus fold behind one button.
// Without this script both menus simply stay open (the button is then never shown).
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var button = header && header.querySelector(".menu-toggle");
  if (!button) return;
  var narrow = window.matchMedia("(max-width: 40rem)");

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("menu-closed", !open);
  }

  header.classList.add("js-menu");
  setOpen(!narrow.matches);
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && narrow.matches && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
  // Turning a tablet or widening the window shows the menus again.
  narrow.addEventListener("change", function () { setOpen(!narrow.matches); });
})();
