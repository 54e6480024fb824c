// Where JavaScript runs, choosing a language switches at once: the form is sent on change and its button,
// needed only without JavaScript, is hidden. Loaded from a file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  function enhance() {
    var forms = document.querySelectorAll("form[data-submit-on-change]");
    Array.prototype.forEach.call(forms, function (form) {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.hidden = true;
      }
      form.addEventListener("change", function () {
        form.submit();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
