/* The case page: the action bar opens its form in place and the reply editor grows with the letter. Both also
   work without this script (the bar's links reload the page with the form open). */
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
