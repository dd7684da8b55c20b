/*
 * Read-aloud for lessons, with the browser's own speech synthesis: no text leaves the device.
 *
 * The button is in the page but hidden; it is shown only where speech synthesis exists, so
 * without it (or without script) the page is exactly the same. One press reads the lesson
 * from the top, a second press stops. The button's words always say what it will do next.
 */
(function () {
  "use strict";

  var synth = window.speechSynthesis;
  var button = document.querySelector("button.read-aloud");
  if (!button || !synth || typeof window.SpeechSynthesisUtterance !== "function") {
    return;
  }
  var target = document.querySelector(button.getAttribute("data-read"));
  if (!target) {
    return;
  }
  var startLabel = button.getAttribute("data-label-start");
  var stopLabel = button.getAttribute("data-label-stop");
  var reading = false;
  var run = 0; // a cancelled reading's late events must not change a newer one's button
  var lang = document.documentElement.lang || "en-GB";

  function show(isReading) {
    reading = isReading;
    button.textContent = isReading ? stopLabel : startLabel;
    button.classList.toggle("is-reading", isReading);
  }

  // Speak a block at a time: some engines stop long utterances part-way through.
  function chunks() {
    var title = document.querySelector(".lesson h1");
    var parts = title ? [title.innerText] : [];
    var blocks = target.querySelectorAll("h2, h3, p, li, summary, figure img, dt, dd, td, th");
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      // Skip text inside an answer the pupil has not opened yet, and nested list items.
      if (block.closest("details:not([open]) > :not(summary)")) continue;
      if (block.tagName === "LI" && block.querySelector("p, details")) continue;
      var text = block.tagName === "IMG" ? block.getAttribute("alt") : block.innerText;
      if (text && text.trim()) parts.push(text.trim());
    }
    return parts;
  }

  function start() {
    synth.cancel();
    var parts = chunks();
    if (!parts.length) return;
    run += 1;
    var thisRun = run;
    function finished() {
      if (thisRun === run) show(false);
    }
    show(true);
    parts.forEach(function (text, index) {
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      utterance.rate = 0.95;
      if (index === parts.length - 1) {
        utterance.onend = finished;
      }
      utterance.onerror = finished;
      synth.speak(utterance);
    });
  }

  function stop() {
    run += 1;
    synth.cancel();
    show(false);
  }

  button.addEventListener("click", function () {
    if (reading) {
      stop();
    } else {
      start();
    }
  });
  // Leaving the page must not leave the browser talking.
  window.addEventListener("pagehide", function () { synth.cancel(); });
  var row = button.closest("[hidden]");
  if (row) row.hidden = false;
}());
