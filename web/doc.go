// Package web serves openear's dashboard: a server-rendered HTML page of
// threads with filters and SVG charts, and a small JSON API.
//
// The page needs no JavaScript and loads nothing from elsewhere: CSS and
// charts are inline, and the page reloads itself every five seconds. The
// charts are drawn by pure functions (HistogramSVG, StackedBarsSVG,
// BarsSVG) that tests can call directly.
//
// Endpoints (see Dashboard.Handler): "/", "/api/threads", "/api/stats",
// "/chart/frt.svg", "/chart/tags.svg", "/chart/sla.svg".
//
// # Access
//
// With Options.Token set, every request must carry the token (see
// RequireToken). A token is required whenever the listener is reachable
// from other machines; IsLoopback tells which listen addresses are not.
// When the token came as ?token=, the page keeps it in its filter form, so
// it stays in the URL: a Referrer-Policy of no-referrer keeps it from
// leaking through links to Slack or Discord.
//
// # Caveats
//
// The dashboard reads threads with Store.Threads, a walk over every
// thread, on each page load (and the stats walk once more): fine for the
// thousands of threads of a support team, not for millions. The table
// shows at most MaxRows (500) threads and says when it cut.
//
// Customer text is untrusted: html/template escapes it in the page, and
// the chart functions escape every label with encoding/xml. A
// Content-Security-Policy forbids scripts altogether.
package web
