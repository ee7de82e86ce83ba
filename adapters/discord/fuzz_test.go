package discord_test

import (
	"context"
	"testing"
	"unicode/utf8"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
)

// fuzzAdapter is an adapter (not running) against a fake, for decoding.
func fuzzAdapter(f *testing.F) *discord.Adapter {
	fake := discordfake.New(discordfake.Options{Token: "tok", BotID: botID})
	f.Cleanup(fake.Close)
	fake.AddChannel(guild, triage)
	fake.AddChannel(guild, watched)
	fake.AddMember(guild, customer, "cust", nil, false)
	fake.AddMember(guild, roleMate, "mate", []string{role}, false)
	a, err := discord.New(config(fake), newRecorder())
	if err != nil {
		f.Fatal(err)
	}
	return a
}

// FuzzMessageCreate: any MESSAGE_CREATE payload decodes to a well-formed
// event or is skipped; never a panic, never a message event without ids.
func FuzzMessageCreate(f *testing.F) {
	a := fuzzAdapter(f)
	f.Add([]byte(`{"id":"1000","channel_id":"222","guild_id":"1","content":"hello","author":{"id":"42","username":"cust"}}`))
	f.Add([]byte(`{"id":"1001","channel_id":"222","guild_id":"1","content":"<@900> claim 3","author":{"id":"43"},"member":{"roles":["333"]}}`))
	f.Add([]byte(`{"id":"1002","channel_id":"222","content":"reply","author":{"id":"42"},"message_reference":{"message_id":"1000"}}`))
	f.Add([]byte(`{"id":"1003","channel_id":"D1","content":"dm","author":{"id":"42","bot":true}}`))
	f.Add([]byte(`{"id":"","channel_id":"","author":null}`))
	f.Add([]byte("{\"id\":\"1004\",\"channel_id\":\"222\",\"guild_id\":\"1\",\"content\":\"\xff\xfe @everyone\",\"author\":{\"id\":\"42\"}}"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, ok, err := discord.DecodeMessage(context.Background(), a, raw)
		if err != nil || !ok {
			return
		}
		if ev.Platform != bot.Discord || ev.Channel == "" || (ev.Kind == bot.KindMessage && ev.MessageID == "") {
			t.Fatalf("malformed event %+v from %q", ev, raw)
		}
		_ = utf8.ValidString(ev.Text)
	})
}

// FuzzInteractionCreate: any INTERACTION_CREATE payload decodes to a
// command or button event, or is skipped; never a panic.
func FuzzInteractionCreate(f *testing.F) {
	a := fuzzAdapter(f)
	f.Add([]byte(`{"id":"5","type":2,"token":"t","channel_id":"222","guild_id":"1","member":{"user":{"id":"43"},"roles":["333"]},"data":{"name":"openear","options":[{"name":"claim","type":1,"options":[{"name":"id","type":4,"value":3}]}]}}`))
	f.Add([]byte(`{"id":"6","type":3,"token":"t","channel_id":"111","guild_id":"1","member":{"user":{"id":"42"}},"data":{"custom_id":"resolve 3","component_type":2}}`))
	f.Add([]byte(`{"id":"7","type":2,"user":{"id":"42"},"data":{}}`))
	f.Add([]byte(`{"type":3,"data":{"custom_id":""}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, ok, err := discord.DecodeInteraction(a, raw)
		if err != nil || !ok {
			return
		}
		if ev.Kind != bot.KindCommand && ev.Kind != bot.KindButton {
			t.Fatalf("interaction became a %s event: %+v", ev.Kind, ev)
		}
	})
}
