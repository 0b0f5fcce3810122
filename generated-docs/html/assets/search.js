// kbc search: filters the index built at compile time (search-index.js,
// loaded before this file) in the browser. No network, works from file://.
// Results are built with textContent only, never innerHTML.
(function () {
  "use strict";
  var index = window.kbcSearchIndex || [];
  var input = document.getElementById("kbc-search-input");
  var list = document.getElementById("kbc-search-results");
  var status = document.getElementById("kbc-search-status");
  if (!input || !list || !status) {
    return;
  }

  function terms(q) {
    return q.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
  }

  function score(entry, ts) {
    var title = entry.t.toLowerCase();
    var codes = entry.c.toLowerCase();
    var summary = entry.s.toLowerCase();
    var total = 0;
    for (var i = 0; i < ts.length; i++) {
      var t = ts[i];
      var s = 0;
      if (codes.indexOf(t) >= 0) { s += 8; }
      if (title.indexOf(t) >= 0) { s += 5; }
      if (summary.indexOf(t) >= 0) { s += 2; }
      if (entry.x.indexOf(t) >= 0) { s += 1; }
      if (s === 0) { return 0; }
      total += s;
    }
    return entry.k === "guide" ? total + 1 : total;
  }

  function show(q) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var ts = terms(q);
    if (ts.length === 0) {
      status.textContent = "Type an error code such as 0x904, words from the message, or a keyword.";
      return;
    }
    var hits = [];
    for (var i = 0; i < index.length; i++) {
      var s = score(index[i], ts);
      if (s > 0) { hits.push({ s: s, i: i }); }
    }
    hits.sort(function (a, b) { return b.s - a.s || a.i - b.i; });
    status.textContent = hits.length === 0
      ? "Nothing matches \u201c" + q + "\u201d."
      : hits.length + (hits.length === 1 ? " result" : " results") + " for \u201c" + q + "\u201d.";
    for (var j = 0; j < hits.length && j < 50; j++) {
      var e = index[hits[j].i];
      var li = document.createElement("li");
      li.className = "kbc-search-result";
      var a = document.createElement("a");
      a.href = e.u;
      a.textContent = e.t;
      a.dir = "auto";
      li.appendChild(a);
      var kind = document.createElement("span");
      kind.className = "kbc-badge";
      kind.textContent = e.k === "guide" ? (e.c ? "Guide \u00b7 " + e.c : "Guide") : "Fix";
      li.appendChild(document.createTextNode(" "));
      li.appendChild(kind);
      if (e.s) {
        var p = document.createElement("p");
        p.className = "kbc-summary";
        p.dir = "auto";
        p.textContent = e.s;
        li.appendChild(p);
      }
      list.appendChild(li);
    }
  }

  var params = new URLSearchParams(window.location.search);
  var q = params.get("q") || "";
  input.value = q;
  show(q);
  input.addEventListener("input", function () { show(input.value); });
  var form = input.form;
  if (form) {
    form.addEventListener("submit", function (ev) { ev.preventDefault(); show(input.value); });
  }
})();
