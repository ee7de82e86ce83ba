package slackfake_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/openear/openear/adapters/slackfake"
)

// Past PostLimit a post gets 429 with a Retry-After that slack-go reads;
// other channels and edits are not limited.
func TestPostLimit(t *testing.T) {
	f, api := newFake(t, slackfake.Options{PostLimit: slackfake.PostLimit{Every: time.Second, Burst: 3}})
	ctx := ctxT(t)
	f.AddChannel("C1", "triage")
	f.AddChannel("C2", "other")
	var ts string
	for i := range 3 {
		_, got, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText(fmt.Sprint(i), false))
		if err != nil {
			t.Fatalf("post %d of the burst: %v", i, err)
		}
		ts = got
	}
	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("one too many", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("fourth post at once: %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C2", slack.MsgOptionText("other channel", false)); err != nil {
		t.Fatalf("another channel: %v", err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("edited", false)); err != nil {
		t.Fatalf("an edit: %v", err)
	}
	if n := f.RateLimited(); n != 1 {
		t.Fatalf("RateLimited = %d", n)
	}
	if n := len(f.Messages("C1")); n != 3 {
		t.Fatalf("%d messages in C1: a refused post was kept", n)
	}
}

// The fake refuses blocks Slack refuses: more than 50, a block_id twice,
// an action_id twice in one block, texts past their lengths.
func TestBlocksChecked(t *testing.T) {
	f, api := newFake(t, slackfake.Options{})
	ctx := ctxT(t)
	f.AddChannel("C1", "triage")
	text := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
	}
	btn := func(id, v string) *slack.ButtonBlockElement {
		return slack.NewButtonBlockElement(id, v, slack.NewTextBlockObject(slack.PlainTextType, "b", false, false))
	}
	many := make([]slack.Block, 51)
	for i := range many {
		many[i] = slack.NewSectionBlock(text("x"), nil, nil)
	}
	for _, c := range []struct {
		name   string
		blocks []slack.Block
		ok     bool
	}{
		{"fifty", many[:50], true},
		{"fifty-one", many, false},
		{"block_id twice", []slack.Block{slack.NewActionBlock("a", btn("x", "1")), slack.NewActionBlock("a", btn("x", "2"))}, false},
		{"block_ids apart", []slack.Block{slack.NewActionBlock("a", btn("x", "1")), slack.NewActionBlock("b", btn("x", "2"))}, true},
		{"action_id twice", []slack.Block{slack.NewActionBlock("a", btn("x", "1"), btn("x", "2"))}, false},
		{"long section", []slack.Block{slack.NewSectionBlock(text(strings.Repeat("y", 3001)), nil, nil)}, false},
		{"long header", []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("h", 151), false, false))}, false},
	} {
		_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("t", false), slack.MsgOptionBlocks(c.blocks...))
		if got := err == nil; got != c.ok || (err != nil && err.Error() != "invalid_blocks") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
