// openear dashboard: the page works without this script (forms post and
// redirect back); with it, the live part of a page refreshes itself every
// few seconds, actions go without a reload, and times show in the
// viewer's own time zone. The script has no words of its own: the page
// gives them (<html lang>, <body data-offline>), in the viewer's language.
(function () {
  "use strict";

  var lang = document.documentElement.lang || "en";

  // format writes an instant in the browser's zone, as the server writes
  // it in the page's language: "Fri, Dec 4, 03:00 PM GMT+9"; in Korean
  // "12월 4일 (금) 오후 3:00", the zone named only when it is not Korea's.
  function format(d) {
    if (lang === "ko") {
      var opts = { weekday: "short", month: "long", day: "numeric", hour: "numeric", minute: "2-digit" };
      if (d.getTimezoneOffset() !== -540) opts.timeZoneName = "short";
      return d.toLocaleString("ko", opts);
    }
    return d.toLocaleString(lang, {
      weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
  }

  // Times: <time datetime="…" data-offset="…" data-local> in the
  // browser's zone, unless the server already wrote it in that zone
  // (data-offset, in seconds east of UTC, is the browser's offset then).
  function localize(root) {
    root.querySelectorAll("time[data-local]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      if (String(-d.getTimezoneOffset() * 60) === t.getAttribute("data-offset")) return;
      if (!t.title) t.title = t.textContent;
      t.textContent = format(d);
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

  // offline is what the page says when openear cannot be reached.
  function offline() {
    return document.body.getAttribute("data-offline") || "";
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
      .catch(function () { note(offline()); });
  });

  localize(document);
  if (live) {
    live.setAttribute("data-html", live.innerHTML);
    setInterval(refresh, 3000);
  }
})();
