// kbc troubleshooter: a guided diagnosis in the browser. It asks the site's
// diagnosis API (`kbc serve`: api/symptoms, api/facts, api/diagnose, at the
// site's root) and shows, after every answer, the ranked causes with their
// evidence in plain words, what was ruled out, the fixes in order (linking
// to their pages) and the next question, with "I don't know" to skip it.
//
// No network but this site; no inline handlers (CSP-friendly); every text
// that comes from the API is inserted with textContent, never innerHTML.
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }
  var el = {
    offline: $("kbc-ts-offline"),
    offlineReason: $("kbc-ts-offline-reason"),
    app: $("kbc-ts-app"),
    start: $("kbc-ts-start"),
    startHeading: $("kbc-ts-start-h"),
    symptomForm: $("kbc-ts-symptom-form"),
    symptoms: $("kbc-ts-symptoms"),
    messageForm: $("kbc-ts-message-form"),
    message: $("kbc-ts-message"),
    session: $("kbc-ts-session"),
    question: $("kbc-ts-question"),
    questionHeading: $("kbc-ts-question-h"),
    questionText: $("kbc-ts-question-text"),
    answerForm: $("kbc-ts-answer-form"),
    answers: $("kbc-ts-answers"),
    dontKnow: $("kbc-ts-dont-know"),
    done: $("kbc-ts-done"),
    causesHeading: $("kbc-ts-causes-h"),
    symptom: $("kbc-ts-symptom"),
    causes: $("kbc-ts-causes"),
    fixes: $("kbc-ts-fixes"),
    ruledOut: $("kbc-ts-ruled-out"),
    ruledOutNone: $("kbc-ts-ruled-out-none"),
    given: $("kbc-ts-given-list"),
    restart: $("kbc-ts-restart"),
    status: $("kbc-ts-status")
  };
  if (!el.app || !el.offline) { return; }

  // Where the API is: beside this page, at the site's root.
  function api(path) { return new URL("api/" + path, window.location.href).href; }

  var vocab = {};      // fact id -> {id, type, label, question, values}
  var symptoms = [];   // from api/symptoms
  var guideOf = {};    // symptom id -> guide page
  var state = null;    // {facts, message, skip, order, previous}
  var busy = false;

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function text(tag, t, cls) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    n.textContent = t;
    n.dir = "auto";
    return n;
  }
  function say(t) { el.status.textContent = t; }

  function offline(reason) {
    el.app.hidden = true;
    el.offline.hidden = false;
    el.offlineReason.textContent = reason || "";
  }

  function getJson(path) {
    return fetch(api(path), { headers: { "Accept": "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(path + " answered " + r.status); }
      return r.json();
    });
  }

  // A fact value as a person reads it.
  function shown(factId, value) {
    var f = vocab[factId];
    if (f && f.values) {
      for (var i = 0; i < f.values.length; i++) {
        if (String(f.values[i].id) === String(value)) { return f.values[i].label; }
      }
    }
    return String(value);
  }
  function label(factId) {
    var f = vocab[factId];
    return f && f.label ? f.label : factId.replace(/_/g, " ");
  }

  // ---- step 1: what do you see ----

  function showSymptoms() {
    clear(el.symptoms);
    var n = 0;
    symptoms.forEach(function (s) {
      if (!s.facts) { return; }
      var id = "kbc-ts-s-" + n++;
      var row = document.createElement("div");
      row.className = "kbc-ts-choice";
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "symptom";
      input.id = id;
      input.value = s.id;
      var lab = document.createElement("label");
      lab.htmlFor = id;
      if (s.codes && s.codes.length) {
        lab.appendChild(text("span", s.codes.join(" / "), "kbc-ts-code"));
        lab.appendChild(document.createTextNode(" "));
      }
      lab.appendChild(text("span", s.title));
      row.appendChild(input);
      row.appendChild(lab);
      el.symptoms.appendChild(row);
    });
    var first = el.symptoms.querySelector("input");
    if (first) { first.checked = true; }
  }

  function begin(facts, message) {
    state = { facts: facts, message: message, skip: [], order: Object.keys(facts), previous: null };
    el.session.hidden = false;
    el.start.hidden = true;
    diagnose(true);
  }

  el.symptomForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var picked = el.symptoms.querySelector("input:checked");
    if (!picked) { say("Pick the error you see first."); return; }
    var s = symptoms.filter(function (x) { return x.id === picked.value; })[0];
    if (!s) { return; }
    var facts = {};
    Object.keys(s.facts).forEach(function (k) { facts[k] = s.facts[k]; });
    begin(facts, null);
  });

  el.messageForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var m = el.message.value.trim();
    if (!m) { say("Paste the message first."); el.message.focus(); return; }
    begin({}, m);
  });

  el.restart.addEventListener("click", function () {
    state = null;
    el.session.hidden = true;
    el.start.hidden = false;
    say("");
    el.startHeading.focus();
  });

  // ---- asking the API ----

  function diagnose(focusQuestion) {
    if (busy || !state) { return; }
    busy = true;
    say("Thinking…");
    var body = { facts: state.facts, skip: state.skip };
    if (state.message) { body.message = state.message; }
    fetch(api("diagnose"), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, j: j }; });
    }).then(function (res) {
      busy = false;
      if (!res.ok) {
        var e = res.j && res.j.error ? res.j.error.message : "the service refused the request";
        say("Error: " + e);
        return;
      }
      show(res.j, focusQuestion);
    }).catch(function (err) {
      busy = false;
      say("The diagnosis service did not answer (" + err.message + "). Is kbc serve still running?");
    });
  }

  // ---- showing a diagnosis ----

  function causeLink(c, d) {
    var guide = null;
    for (var i = 0; i < d.symptoms.length && !guide; i++) { guide = guideOf[d.symptoms[i].id] || null; }
    if (!guide) { return text("span", c.title, "kbc-ts-cause-title"); }
    var a = document.createElement("a");
    a.href = guide + "#cause-" + encodeURIComponent(c.id);
    a.textContent = c.title;
    a.dir = "auto";
    a.className = "kbc-ts-cause-title";
    return a;
  }

  function movement(id, rank) {
    var prev = state.previous;
    if (!prev) { return null; }
    var was = prev.indexOf(id);
    if (was < 0) { return text("span", "new", "kbc-ts-move kbc-ts-up"); }
    if (was > rank) { return text("span", "▲ up " + (was - rank), "kbc-ts-move kbc-ts-up"); }
    if (was < rank) { return text("span", "▼ down " + (rank - was), "kbc-ts-move kbc-ts-down"); }
    return null;
  }

  function evidenceList(evidence) {
    var ul = document.createElement("ul");
    ul.className = "kbc-ts-evidence";
    evidence.forEach(function (e) {
      var against = e.strength.indexOf("against") === 0 || e.strength === "rules_out";
      var li = document.createElement("li");
      li.className = against ? "kbc-ts-against" : "kbc-ts-for";
      li.appendChild(text("span", against ? "Against: " : "For: ", "kbc-ts-sign"));
      li.appendChild(text("span", e.text));
      ul.appendChild(li);
    });
    return ul;
  }

  function showCauses(d) {
    clear(el.causes);
    var top = 3;
    d.causes.forEach(function (c, i) {
      var li = document.createElement("li");
      li.className = "kbc-ts-cause" + (i === 0 ? " kbc-ts-first" : "");
      li.setAttribute("data-cause", c.id);
      var head = document.createElement("div");
      head.className = "kbc-ts-cause-head";
      head.appendChild(causeLink(c, d));
      var pct = Math.round(c.share * 100);
      var meter = document.createElement("meter");
      meter.min = 0; meter.max = 100; meter.value = pct;
      meter.setAttribute("aria-label", "share of belief");
      head.appendChild(meter);
      head.appendChild(text("span", pct + "%", "kbc-ts-share"));
      var mv = movement(c.id, i);
      if (mv) { head.appendChild(mv); }
      li.appendChild(head);
      if (i < top && c.evidence.length) { li.appendChild(evidenceList(c.evidence)); }
      if (i < top && !c.evidence.length) {
        li.appendChild(text("p", "No evidence either way yet: ranked by how common it is (" + c.prior.replace("_", " ") + ").", "kbc-ts-note"));
      }
      el.causes.appendChild(li);
    });
    if (!d.causes.length) {
      el.causes.appendChild(text("li", "No cause fits what you told so far.", "kbc-ts-note"));
    }
  }

  // The fixes of the three leading causes in full, in the order to try
  // them; the others folded away, still in order.
  function showFixes(d) {
    clear(el.fixes);
    var titles = {};
    var lead = {};
    d.causes.forEach(function (c, i) {
      titles[c.id] = c.title;
      if (i < 3) { lead[c.id] = true; }
    });
    var rest = [];
    d.fixes.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "kbc-ts-fix";
      var a = document.createElement("a");
      a.href = "fixes/" + encodeURIComponent(f.id) + ".html";
      a.textContent = f.title;
      a.dir = "auto";
      li.appendChild(a);
      var meta = "effort " + f.effort + " · risk " + f.risk + " · needs " + f.needs.replace("_", " ");
      li.appendChild(text("span", meta, "kbc-ts-meta"));
      li.appendChild(text("span", "for: " + (titles[f.cause] || f.cause), "kbc-ts-for-cause"));
      if (lead[f.cause]) { el.fixes.appendChild(li); } else { rest.push(li); }
    });
    if (rest.length) {
      var item = document.createElement("li");
      item.className = "kbc-ts-more";
      var details = document.createElement("details");
      details.appendChild(text("summary", rest.length + (rest.length === 1 ? " more fix" : " more fixes") + ", for less likely causes"));
      var ol = document.createElement("ol");
      ol.className = "kbc-ts-fixes";
      ol.start = d.fixes.length - rest.length + 1;
      rest.forEach(function (li) { ol.appendChild(li); });
      details.appendChild(ol);
      item.appendChild(details);
      el.fixes.appendChild(item);
    }
  }

  function showRuledOut(d) {
    clear(el.ruledOut);
    el.ruledOutNone.hidden = d.ruled_out.length > 0;
    d.ruled_out.forEach(function (r) {
      var li = document.createElement("li");
      li.appendChild(text("strong", r.title));
      li.appendChild(evidenceList(r.evidence));
      el.ruledOut.appendChild(li);
    });
  }

  function showGiven() {
    clear(el.given);
    state.order.forEach(function (k) {
      if (!(k in state.facts)) { return; }
      var li = document.createElement("li");
      li.appendChild(text("span", label(k) + ": ", "kbc-ts-given-label"));
      li.appendChild(text("strong", shown(k, state.facts[k])));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(changeButton(k, "Change", function () { delete state.facts[k]; }));
      el.given.appendChild(li);
    });
    if (state.message) {
      var li = document.createElement("li");
      li.appendChild(text("span", "the message: ", "kbc-ts-given-label"));
      li.appendChild(text("q", state.message));
      el.given.appendChild(li);
    }
    state.skip.forEach(function (k) {
      var li = document.createElement("li");
      li.appendChild(text("span", label(k) + ": ", "kbc-ts-given-label"));
      li.appendChild(text("em", "you don't know"));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(changeButton(k, "Answer it", function () {
        state.skip = state.skip.filter(function (s) { return s !== k; });
      }));
      el.given.appendChild(li);
    });
  }

  function changeButton(fact, caption, undo) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "kbc-ts-small";
    b.textContent = caption;
    b.setAttribute("aria-label", caption + ": " + label(fact));
    b.addEventListener("click", function () { undo(); diagnose(true); });
    return b;
  }

  function showQuestion(d, focus) {
    var q = d.next_question;
    clear(el.answers);
    if (!q || d.conclusive) {
      el.answerForm.hidden = true;
      el.done.hidden = false;
      el.done.textContent = d.conclusive && d.causes.length
        ? "The leading cause is clear: " + d.causes[0].title + ". Try the fixes below in order."
        : "Nothing left to ask would change the ranking. Try the fixes below in order.";
      el.questionHeading.textContent = "Done";
      if (focus) { el.causesHeading.focus(); }
      return;
    }
    el.answerForm.hidden = false;
    el.done.hidden = true;
    el.questionHeading.textContent = "Next question";
    el.questionText.textContent = q.text;
    el.answerForm.setAttribute("data-fact", q.fact);
    var f = vocab[q.fact] || { type: "string" };
    q.answers.forEach(function (a, i) {
      var id = "kbc-ts-a-" + i;
      var row = document.createElement("div");
      row.className = "kbc-ts-choice";
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "answer";
      input.id = id;
      input.value = a;
      var lab = document.createElement("label");
      lab.htmlFor = id;
      lab.textContent = shown(q.fact, a);
      lab.dir = "auto";
      row.appendChild(input);
      row.appendChild(lab);
      el.answers.appendChild(row);
    });
    if (f.type === "int" || f.type === "string") {
      var row = document.createElement("div");
      row.className = "kbc-ts-choice kbc-ts-other";
      var lab = document.createElement("label");
      lab.htmlFor = "kbc-ts-a-other";
      lab.textContent = q.answers.length ? "Another value" : "Your answer";
      var input = document.createElement("input");
      input.type = "text";
      input.id = "kbc-ts-a-other";
      input.autocomplete = "off";
      input.spellcheck = false;
      row.appendChild(lab);
      row.appendChild(input);
      el.answers.appendChild(row);
    }
    if (focus) { el.questionHeading.focus(); }
  }

  function show(d, focus) {
    var observed = d.symptoms.filter(function (s) { return s.status === "observed"; });
    el.symptom.textContent = observed.length
      ? "Symptom: " + observed.map(function (s) { return s.title; }).join("; ")
      : (d.symptoms.length ? "Possible symptoms: " + d.symptoms.map(function (s) { return s.title; }).join("; ") : "No symptom fits what you told so far.");
    showCauses(d);
    showFixes(d);
    showRuledOut(d);
    showGiven();
    showQuestion(d, focus);
    state.previous = d.causes.map(function (c) { return c.id; });
    say(d.causes.length
      ? "Most likely: " + d.causes[0].title + " (" + Math.round(d.causes[0].share * 100) + "%)."
      : "No cause fits what you told so far.");
  }

  // ---- answering ----

  el.answerForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!state) { return; }
    var fact = el.answerForm.getAttribute("data-fact");
    var other = $("kbc-ts-a-other");
    var picked = el.answers.querySelector("input[type=radio]:checked");
    var value = other && other.value.trim() ? other.value.trim() : (picked ? picked.value : null);
    if (value === null) { say("Pick an answer, or choose I don't know."); return; }
    state.facts[fact] = value;
    if (state.order.indexOf(fact) < 0) { state.order.push(fact); }
    state.skip = state.skip.filter(function (s) { return s !== fact; });
    diagnose(true);
  });

  el.dontKnow.addEventListener("click", function () {
    if (!state) { return; }
    var fact = el.answerForm.getAttribute("data-fact");
    if (fact && state.skip.indexOf(fact) < 0) { state.skip.push(fact); }
    diagnose(true);
  });

  // ---- start ----

  if (window.location.protocol !== "http:" && window.location.protocol !== "https:") {
    offline("");
    return;
  }
  Promise.all([getJson("facts"), getJson("symptoms")]).then(function (res) {
    res[0].facts.forEach(function (f) { vocab[f.id] = f; });
    symptoms = res[1].symptoms;
    symptoms.forEach(function (s) { if (s.guide) { guideOf[s.id] = s.guide; } });
    showSymptoms();
    el.offline.hidden = true;
    el.app.hidden = false;
  }).catch(function (err) {
    offline("(" + err.message + ")");
  });
})();
