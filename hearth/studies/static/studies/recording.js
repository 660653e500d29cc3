// The recording page: a time button plays the recording from that turn, and the turn being
// heard is highlighted. Delegated, so turns swapped in by HTMX keep working.
(function () {
  "use strict";
  function player() { return document.getElementById("recording-audio"); }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-seek]");
    var audio = player();
    if (!button || !audio || button.dataset.seek === "") return;
    audio.currentTime = parseFloat(button.dataset.seek);
    audio.play().catch(function () { /* autoplay refused: the position is still set */ });
  });

  document.addEventListener("timeupdate", function (event) {
    if (event.target !== player()) return;
    var now = event.target.currentTime;
    document.querySelectorAll(".timed-turn").forEach(function (turn) {
      var begins = parseFloat(turn.dataset.begins), ends = parseFloat(turn.dataset.ends);
      var on = now >= begins && now < ends;
      turn.classList.toggle("playing", on);
      if (on) turn.setAttribute("aria-current", "true"); else turn.removeAttribute("aria-current");
    });
  }, true);
})();
