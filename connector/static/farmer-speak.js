// "Read this page aloud" on the farmer's help page: the phone's own Vietnamese voice (Web Speech
// API), shown only where the phone has one; without it (or without JavaScript) the button stays hidden.
(function () {
  var button = document.querySelector("[data-read]");
  if (!button || !("speechSynthesis" in window)) return;
  function vietnamese() {
    return speechSynthesis.getVoices().filter(function (v) { return /^vi/i.test(v.lang); })[0];
  }
  function offer() { if (vietnamese()) button.hidden = false; }
  offer();
  speechSynthesis.addEventListener("voiceschanged", offer);
  button.addEventListener("click", function () {
    speechSynthesis.cancel();
    var target = document.querySelector(button.getAttribute("data-read"));
    var words = new SpeechSynthesisUtterance(target ? target.innerText : "");
    words.lang = "vi-VN";
    words.voice = vietnamese();
    words.rate = 0.9;  // a little slower than the default, for people who listen to learn
    speechSynthesis.speak(words);
  });
})();
