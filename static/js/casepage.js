/* The case page: the action bar opens its form in place, risky actions ask in a dialog, the reply editor grows
   with the letter. Everything also works without this script (links reload with the form open, a confirmation
   page asks instead of the dialog). */
(function () {
  "use strict";

  function openAction(id, focus) {
    var details = document.getElementById(id);
    if (!details || details.tagName !== "DETAILS") { return false; }
    details.open = true;
    details.scrollIntoView({block: "start"});
    if (focus) {
      // The field people type into first: the text of a letter or reason, else the first field of the form.
      var first = details.querySelector("form textarea") ||
        details.querySelector("form input:not([type=hidden]), form select, form button");
      if (first) { first.focus({preventScroll: true}); }
    }
    return true;
  }

  document.querySelectorAll(".action-bar a[data-action]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (openAction("action-" + link.getAttribute("data-action"), true)) {
        event.preventDefault();
        history.replaceState(null, "", "#action-" + link.getAttribute("data-action"));
      }
    });
  });
  if (location.hash.indexOf("#action-") === 0) { openAction(location.hash.slice(1), false); }

  // Risky actions: a dialog instead of the confirmation page.
  var dialog = null;
  function confirmDialog(message, yes, onYes) {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "confirm-dialog";
      dialog.innerHTML = '<p class="question"></p><form method="dialog"><button value="yes" class="button danger"></button> <button value="no" class="button secondary"></button></form>';
      document.body.appendChild(dialog);
    }
    dialog.querySelector(".question").textContent = message;
    var buttons = dialog.querySelectorAll("button");
    buttons[0].textContent = yes;
    buttons[1].textContent = document.body.getAttribute("data-cancel") || "Cancel";
    dialog.returnValue = "";
    dialog.onclose = function () { if (dialog.returnValue === "yes") { onYes(); } };
    dialog.showModal();
    buttons[1].focus();
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var confirm = form.querySelector("input[name=confirm]");
      if (!confirm || confirm.value === "yes") { return; }
      event.preventDefault();
      confirmDialog(form.getAttribute("data-confirm"), form.getAttribute("data-yes") || "OK", function () {
        confirm.value = "yes";
        // Not form.submit(): a field named "submit" hides that method on the form element.
        HTMLFormElement.prototype.submit.call(form);
      });
    });
  });

  // The reply editor grows with its text (CSS field-sizing where the browser has it, this elsewhere).
  document.querySelectorAll("textarea.grow").forEach(function (area) {
    function fit() {
      area.style.height = "auto";
      area.style.height = Math.max(area.scrollHeight + 4, 360) + "px";
    }
    area.addEventListener("input", fit);
    fit();
  });
})();
