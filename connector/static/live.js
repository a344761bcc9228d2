/* Parts of a page marked data-live-url refresh themselves from that URL (a fragment of the same
   HTML) until the fragment says data-live-final="true": a listing under review, an order on its way.
   Without JavaScript the part offers a reload link instead. Polls slow down as time passes and stop
   after ten minutes, so a forgotten tab costs little. */
(function () {
  var STOP_AFTER = 10 * 60 * 1000;
  var started = Date.now();
  function watch(part, delay) {
    if (part.dataset.liveFinal === "true" || Date.now() - started > STOP_AFTER) return;
    setTimeout(function () {
      fetch(part.dataset.liveUrl, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html.trim();
          var fresh = holder.firstElementChild;
          if (!fresh || !fresh.dataset.liveUrl) return;  // not a fragment (signed out?): leave the page be
          part.replaceWith(fresh);
          watch(fresh, Math.min(delay * 1.5, 15000));
        })
        .catch(function () { watch(part, Math.min(delay * 2, 30000)); });  // offline: try again later
    }, delay);
  }
  document.querySelectorAll("[data-live-url]").forEach(function (part) { watch(part, 2000); });
})();
