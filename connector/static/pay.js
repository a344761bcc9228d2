// The public pay page's copy buttons ([data-copy] names the element whose text is copied; the
// amount copies its digits only). A file, not an inline script: the Content-Security-Policy allows none.
document.querySelectorAll("button.copy").forEach(function (button) {
  button.addEventListener("click", function () {
    var source = document.getElementById(button.dataset.copy);
    var text = (source.dataset.value || source.textContent).trim();
    var done = function () { button.textContent = button.dataset.copied; };
    if (navigator.clipboard) { navigator.clipboard.writeText(text).then(done); return; }
    var field = document.createElement("textarea"); field.value = text; document.body.appendChild(field);
    field.select(); document.execCommand("copy"); field.remove(); done();
  });
});
