// Refuses files over the size limits before a form is sent, with the translated message the page carries.
// A file input with data-max-file (bytes) is checked on change and when its form is submitted; recordings may
// be as large as data-max-audio, all files together data-max-total. The server checks the same limits.
(function () {
  "use strict";
  var AUDIO = /\.(wav|mp3|amr|3gp|m4a|ogg|oga|opus|aac)$/i;

  function tooLarge(input) {
    var files = Array.prototype.slice.call(input.files || []);
    var maxFile = Number(input.dataset.maxFile), maxAudio = Number(input.dataset.maxAudio || maxFile);
    var maxTotal = Number(input.dataset.maxTotal), total = 0;
    for (var i = 0; i < files.length; i++) {
      var f = files[i], audio = /^audio\//.test(f.type) || AUDIO.test(f.name);
      total += f.size;
      if (f.size > (audio ? maxAudio : maxFile)) {
        return (audio ? input.dataset.audioMessage : input.dataset.fileMessage).replace("{name}", f.name);
      }
    }
    return total > maxTotal ? input.dataset.totalMessage : "";
  }

  function show(input, message) {
    var box = document.getElementById(input.id + "-size-error");
    if (!box) {
      box = document.createElement("span");
      box.id = input.id + "-size-error";
      box.className = "error";
      box.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", box);
    }
    box.textContent = message;
    box.hidden = !message;
    input.setAttribute("aria-invalid", message ? "true" : "false");
    if (message) { input.setAttribute("aria-describedby", box.id); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var inputs = document.querySelectorAll("input[type=file][data-max-file]");
    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("change", function () { show(input, tooLarge(input)); });
      if (input.form) {
        input.form.addEventListener("submit", function (event) {
          var message = tooLarge(input);
          show(input, message);
          if (message) { event.preventDefault(); input.focus(); }
        });
      }
    });
  });
})();
