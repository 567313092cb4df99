// Copy buttons: a button with data-copy="<id>" copies that element's text. Shown only where
// the Clipboard API exists (secure contexts: HTTPS or localhost).
document.querySelectorAll("[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = document.getElementById(button.dataset.copy).textContent;
    navigator.clipboard.writeText(text).then(function () { button.textContent = "Copied"; });
  });
});
