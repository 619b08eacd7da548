// Progressive enhancement: a print button where JavaScript runs (the page prints fine without it).
document.querySelectorAll(".print-link").forEach(function (link) {
  link.hidden = false;
  link.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
});
