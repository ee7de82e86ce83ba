package mem

import (
	"maps"
	"slices"

	"github.com/openear/openear/bot"
)

func cloneThread(t bot.Thread) bot.Thread {
	t.Keys = slices.Clone(t.Keys)
	t.Tags = slices.Clone(t.Tags)
	t.Messages = slices.Clone(t.Messages)
	t.Corrections = slices.Clone(t.Corrections)
	t.Timeline = slices.Clone(t.Timeline)
	return t
}

func cloneAction(a bot.Action) bot.Action {
	if a.Notice != nil {
		n := *a.Notice
		n.Tags = slices.Clone(n.Tags)
		a.Notice = &n
	}
	return a
}

func cloneIncident(in bot.Incident) bot.Incident {
	in.Terms = slices.Clone(in.Terms)
	in.Threads = slices.Clone(in.Threads)
	in.Customers = slices.Clone(in.Customers)
	in.NoticeRefs = maps.Clone(in.NoticeRefs)
	in.Updates = slices.Clone(in.Updates)
	return in
}
