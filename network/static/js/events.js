// Calendar subscription: a "copy" button next to each address field. Progressive enhancement:
// without JavaScript the read-only field can still be selected and copied by hand.
(function () {
  "use strict";
  document.querySelectorAll("input[data-copy-label]").forEach(function (input) {
    var button = document.createElement("button");
    var status = document.createElement("span");
    button.type = "button";
    button.className = "secondary copy-button";
    button.textContent = input.dataset.copyLabel;
    status.setAttribute("role", "status");
    status.className = "copy-status";
    button.addEventListener("click", function () {
      input.select();
      var done = function () { status.textContent = input.dataset.copiedLabel; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
    input.insertAdjacentElement("afterend", status);
    input.insertAdjacentElement("afterend", button);
  });
})();
