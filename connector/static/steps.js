/* Step-by-step forms without a framework. Without JavaScript every step simply shows at once, with
   only the submit button (Back and Next start hidden, and so does the GPS button).
   - one fieldset at a time, Next checks the current step's required fields;
   - the step list marks the step shown (aria-current="step"); the server marks steps with errors;
   - the first step with a server-side error opens first;
   - what was typed is kept in sessionStorage (not account numbers) until the form is sent,
     so a dropped connection or a reload loses nothing;
   - "Use this phone's location" fills lat/lon from the GPS. */
(function () {
  var form = document.querySelector("form.steps");
  if (!form) return;
  var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-step]"));
  var prev = form.querySelector("[data-prev]"), next = form.querySelector("[data-next]");
  var submit = form.querySelector("[data-submit]"), current = 0;
  var marks = Array.prototype.slice.call(form.querySelectorAll("[data-step-mark]"));
  var key = "draft:" + form.dataset.draftKey;
  var PRIVATE = ["payout_account"];  // never kept in the browser

  function show(index) {
    current = index;
    steps.forEach(function (step, i) { step.hidden = i !== index; });
    prev.hidden = index === 0;
    next.hidden = index === steps.length - 1;
    submit.hidden = index !== steps.length - 1;
    marks.forEach(function (mark, i) {
      if (i === index) mark.setAttribute("aria-current", "step"); else mark.removeAttribute("aria-current");
    });
  }
  function stepValid(step) {
    var fields = step.querySelectorAll("input[required], select[required]");
    for (var i = 0; i < fields.length; i++) { if (!fields[i].reportValidity()) return false; }
    return true;
  }
  next.addEventListener("click", function () { if (stepValid(steps[current])) show(current + 1); });
  prev.addEventListener("click", function () { show(current - 1); });
  // A step in the list opens that step (after a failed save: straight to the step marked in red).
  marks.forEach(function (mark, i) {
    mark.querySelector("a").addEventListener("click", function (event) { event.preventDefault(); show(i); });
  });

  var failed = steps.findIndex(function (step) { return step.querySelector("[aria-invalid=true], .field-error"); });
  var hasServerValues = form.querySelector("input[name=head_name]").value !== "";
  if (!hasServerValues && window.sessionStorage) {
    try {
      var saved = JSON.parse(sessionStorage.getItem(key) || "{}");
      Object.keys(saved).forEach(function (name) {
        var input = form.elements[name];
        if (input && input.type !== "checkbox" && input.type !== "hidden") input.value = saved[name];
      });
    } catch (e) { /* a broken draft is simply ignored */ }
  }
  form.addEventListener("input", function () {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.type !== "checkbox" && el.type !== "hidden" && PRIVATE.indexOf(el.name) < 0) data[el.name] = el.value;
    });
    try { sessionStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full or off */ }
  });
  form.addEventListener("submit", function () { try { sessionStorage.removeItem(key); } catch (e) {} });

  var gps = form.querySelector("[data-gps]"), gpsStatus = form.querySelector("[data-gps-status]");
  if (gps && navigator.geolocation) {
    gps.addEventListener("click", function () {
      gpsStatus.textContent = "…";
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        form.elements.lon.value = position.coords.longitude.toFixed(6);
        gpsStatus.textContent = form.elements.lat.value + ", " + form.elements.lon.value;
      }, function () { gpsStatus.textContent = gps.dataset.denied || ""; }, { enableHighAccuracy: true, timeout: 15000 });
    });
    gps.hidden = false;  // hidden in the page: without JavaScript (or GPS) it could do nothing
  }

  show(failed >= 0 ? failed : 0);
  form.setAttribute("data-ready", "");  // from here on the hidden attributes lay the steps out
})();
