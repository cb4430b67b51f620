/* Forms marked data-confirm (data-yes: the confirming button's text) ask in a dialog before they are sent.
   Without this script the server asks instead, on a confirmation page: the form's hidden "confirm" field stays
   empty until the question was answered. */
(function () {
  "use strict";
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

})();
