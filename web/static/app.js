// openear dashboard: the page works without this script (forms post and
// redirect back); with it, the live part of a page refreshes itself every
// few seconds, actions go without a reload, and times show in the
// viewer's own time zone.
(function () {
  "use strict";

  // Times: <time datetime="…" data-local> in the browser's zone.
  function localize(root) {
    root.querySelectorAll("time[data-local]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      if (!t.title) t.title = t.textContent;
      t.textContent = d.toLocaleString([], {
        weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      });
    });
  }

  var live = document.getElementById("live");
  var busy = false;

  // refresh fetches the live part of the page again (its data-src) and
  // swaps it in when it changed, unless someone is typing in it.
  function refresh() {
    if (!live || busy) return;
    var a = document.activeElement;
    if (a && live.contains(a) && (a.tagName === "INPUT" || a.tagName === "SELECT")) return;
    busy = true;
    fetch(live.getAttribute("data-src"), { credentials: "same-origin", headers: { "X-Openear-Partial": "1" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && html !== live.getAttribute("data-html")) {
          live.innerHTML = html;
          live.setAttribute("data-html", html);
          localize(live);
        }
      })
      .catch(function () {})
      .then(function () { busy = false; });
  }

  function note(text) {
    var n = document.getElementById("note");
    if (n && text) { n.textContent = text; n.hidden = false; }
  }

  // Actions: post the form, show the reply, refresh the live part.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.classList || !f.classList.contains("act")) return;
    e.preventDefault();
    var data = new FormData(f);
    if (e.submitter && e.submitter.name) data.append(e.submitter.name, e.submitter.value);
    fetch(f.action, { method: "POST", body: new URLSearchParams(data), credentials: "same-origin", headers: { "X-Openear-Fetch": "1" } })
      .then(function (r) { return r.ok ? r.json() : r.text().then(function (t) { return { reply: t }; }); })
      .then(function (j) { note(j.reply); refresh(); })
      .catch(function (err) { note(String(err)); });
  });

  localize(document);
  if (live) {
    live.setAttribute("data-html", live.innerHTML);
    setInterval(refresh, 3000);
  }
})();
