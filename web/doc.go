// Package web serves openear's dashboard: a server-rendered inbox of
// threads that staff can work from, SVG charts, and a small JSON API.
//
// The list (/) shows threads with names (customers with their company,
// channels, owners; platform ids on hover), tags with their reasons,
// SLA countdowns and CSAT; it filters, searches (customer, text, tag)
// and sorts (SLA due, age, owner). A thread's page (/threads/{id})
// shows its conversation, tags, SLA due time in the viewer's zone,
// timeline, incident and CSAT. Staff act from both: claim, assign,
// snooze, resolve, reopen, tag and untag go through the core's command
// path (bot.Bot.Act), so the Slack or Discord notice updates as for a
// command.
//
// Pages are HTML rendered on the server (templates/). One small script
// of our own (static/app.js) refreshes the live part of a page every
// three seconds, posts actions without a reload and shows times in the
// browser's zone (when it is not the one the server wrote them in), in
// the page's language; it has no words of its own. Without it the page
// still works (a meta refresh, forms that post and come back). The
// charts are drawn by pure functions (HistogramSVG, StackedBarsSVG,
// BarsSVG) that tests can call directly.
//
// Endpoints: see Dashboard.Handler.
//
// # Languages
//
// Pages speak the viewer's language, English or Korean (see lang.go):
// the one chosen with the switch every page carries (POST /lang, a
// cookie), else a signed-in person's locale or their platform's, else
// Options.Locale. Every word comes from the catalogs of internal/l10n
// (families web, chart, mark and tagname, and the core's states and
// buttons): templates call t and th with literal keys, which the l10n
// tests read. Built-in tag names are shown translated; forms, URLs and
// the JSON API keep the English identifiers. Error pages a browser sees
// are in the viewer's language; the JSON API's errors in English.
//
// # Access
//
// Reading: with Options.Token set, a request must carry the token (see
// RequireToken) or a session; without it (loopback only) reading is
// open. A token given as ?token= stays in the page's links and forms; a
// Referrer-Policy of no-referrer keeps it from leaking through links to
// Slack or Discord.
//
// Acting: a staff member runs `/openear login` in Slack or Discord and
// gets a one-time link by DM (valid 10 minutes, once; see bot/web.go).
// Its page asks to confirm, and the POST opens a 12-hour session: an
// HttpOnly, SameSite=Lax cookie, Secure over TLS or with
// Options.SecureCookie. Every state-changing request (an action, sign
// out) needs the session and its CSRF token; the dashboard token alone
// never acts. A sign-in posted from another site is refused (login
// CSRF). A cookie that names no live session is dropped.
//
// # Caveats
//
// The core stores a timeline item's detail as English text. The thread
// page reads back the forms it knows (a snooze's length, a reminder's
// share of the SLA, a routing reason) to say them in the viewer's
// language, and shows any other as stored; the web tests render the
// core's own items in Korean, so a change of those forms shows there.
// The reply to an action (?note=, or the script's note) is the core's,
// in the person's language, not necessarily the page's; a mistake the
// dashboard finds before acting (a bad duration) is in the page's.
//
// The dashboard reads threads with Store.Threads, a walk over every
// thread, on each page load and each refresh of the list (and the stats
// walk once more on a full load): fine for the thousands of threads of a
// support team, not for millions. The table shows at most MaxRows (500)
// threads and says when it cut.
//
// Sign-ins take turns within one process (bot.Bot.Login), so a link is
// used once there. On PostgreSQL replicas only the leader signs in: a
// standby forwards sign-ins and actions to it (web.NeedsInbox;
// docs/SCALING.md), and a deposed leader's writes are fenced.
//
// Customer text is untrusted: html/template escapes it in the pages, the
// script inserts only HTML the server rendered, and the chart functions
// escape every label with encoding/xml. The Content-Security-Policy
// allows the dashboard's own script and nothing inline or from
// elsewhere.
package web
