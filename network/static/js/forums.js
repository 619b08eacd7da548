/* Forum enhancements; every page works without them.
   1. A submitted post form disables its button so a double-click sends once (the server also
      de-duplicates with the form's key).
   2. @-mention suggestions for the post textarea, as an ARIA 1.2 combobox with a listbox:
      arrow keys move, Enter/Tab pick, Escape closes; the list is announced to screen readers. */
(function () {
  "use strict";

  document.querySelectorAll("form[data-double-submit]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  });

  var holder = document.querySelector("[data-mention-url]");
  var textarea = document.querySelector("textarea[data-mentions]");
  if (!holder || !textarea || !window.fetch) { return; }
  var url = holder.getAttribute("data-mention-url");

  var list = document.createElement("ul");
  list.id = textarea.id + "-mentions";
  list.className = "mention-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", document.documentElement.lang === "en" ? "People" : "Personer");
  list.hidden = true;
  textarea.parentNode.insertBefore(list, textarea.nextSibling);
  textarea.setAttribute("role", "combobox");
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-expanded", "false");
  textarea.setAttribute("aria-controls", list.id);

  var active = -1, items = [], timer = null, lastTerm = null;

  function currentTerm() {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = /(?:^|[^\w@.])@([\w.\-]{1,40})$/u.exec(before);
    return match ? match[1] : null;
  }

  function close() {
    list.hidden = true; list.innerHTML = ""; items = []; active = -1;
    textarea.setAttribute("aria-expanded", "false");
    textarea.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    items.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0) { textarea.setAttribute("aria-activedescendant", items[index].id); }
  }

  function pick(index) {
    var handle = items[index].getAttribute("data-handle");
    var pos = textarea.selectionStart;
    var before = textarea.value.slice(0, pos).replace(/@[\w.\-]*$/u, "@" + handle + " ");
    textarea.value = before + textarea.value.slice(pos);
    textarea.selectionStart = textarea.selectionEnd = before.length;
    close();
    textarea.focus();
  }

  function show(people) {
    close();
    people.forEach(function (person, i) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("data-handle", person.handle);
      li.textContent = person.name + (person.organisation ? ", " + person.organisation : "") +
        " (@" + person.handle + ")";
      li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
      list.appendChild(li);
      items.push(li);
    });
    if (items.length) {
      list.hidden = false;
      textarea.setAttribute("aria-expanded", "true");
      highlight(0);
    }
  }

  textarea.addEventListener("input", function () {
    var term = currentTerm();
    if (!term) { close(); lastTerm = null; return; }
    if (term === lastTerm) { return; }
    lastTerm = term;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(term), { credentials: "same-origin",
        headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (people) { if (currentTerm() === term) { show(people); } })
        .catch(close);
    }, 200);
  });

  textarea.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + items.length) % items.length); }
    else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) { event.preventDefault(); pick(active); }
    else if (event.key === "Escape") { event.preventDefault(); close(); }
  });
  textarea.addEventListener("blur", function () { window.setTimeout(close, 150); });
}());
