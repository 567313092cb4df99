// A form shown again with errors: move focus to its error summary (templates/form_fields.html),
// which scrolls it into view and makes screen readers read it, and let each listed error's
// link put the cursor in its field.
(function () {
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  summary.focus();
  summary.querySelectorAll("a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      var input = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
      event.preventDefault();
      (input || target).scrollIntoView({ block: "center" });
      (input || target).focus();
    });
  });
})();
