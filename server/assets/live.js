// kbc serve: live reload. Injected into every page `kbc serve` sends from a
// rules folder (never into a built site). Listens to the server's build
// generation over server-sent events and reloads the page when it changes;
// the server puts the error overlay, if any, into the reloaded page.
(function () {
  "use strict";
  var me = document.currentScript;
  var shown = me ? me.getAttribute("data-generation") : null;
  var close = document.getElementById("kbc-live-close");
  var overlay = document.getElementById("kbc-live-overlay");
  if (close && overlay) {
    close.addEventListener("click", function () { overlay.hidden = true; });
    close.focus();
  }
  if (!window.EventSource) { return; }
  var events = new EventSource("/__kbc/events");
  events.addEventListener("generation", function (e) {
    if (shown !== null && e.data !== shown) {
      events.close();
      window.location.reload();
    }
  });
  // When the server stops, the browser retries by itself; nothing to do.
})();
