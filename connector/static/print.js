// Print buttons ([data-print]) on the printable pages: a file, since the Content-Security-Policy
// allows no inline script (no onclick="...").
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
