package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runMain(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func setExampleEnv(t *testing.T) {
	for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_BOT_TOKEN", "OPENEAR_HTTP_TOKEN"} {
		t.Setenv(k, "test-"+strings.ToLower(k)+"-0123456789")
	}
}

func TestCheckExampleConfig(t *testing.T) {
	setExampleEnv(t)
	code, out, errs := run(t, "", "check", "-config", "testdata/openear.yaml")
	if code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("check example: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestCheckMisspelledKey(t *testing.T) {
	setExampleEnv(t)
	code, _, errs := run(t, "", "check", "-config", "testdata/bad-key.yaml")
	if code == 0 {
		t.Fatal("check passed a config with a misspelled key")
	}
	for _, want := range []string{"bad-key.yaml:5", "slack.bot_tokn", "unknown key"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr %q does not contain %q", errs, want)
		}
	}
}

func TestCheckMissingSecretNamesTheVariable(t *testing.T) {
	setExampleEnv(t)
	t.Setenv("SLACK_BOT_TOKEN", "")
	code, _, errs := run(t, "", "check", "-config", "testdata/openear.yaml")
	if code == 0 || !strings.Contains(errs, "slack.bot_token") || !strings.Contains(errs, "SLACK_BOT_TOKEN") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

func TestTagCommand(t *testing.T) {
	in := "The checkout page is broken and I want a refund!\n" +
		`{"text": "결제가 안 돼요. 환불해 주세요"}` + "\n" +
		"thanks\n"
	code, out, errs := run(t, in, "tag", "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d output lines for 3 inputs:\n%s", len(lines), out)
	}
	for i, l := range lines {
		var v struct {
			Tags []struct {
				Name   string  `json:"name"`
				Score  float64 `json:"score"`
				Reason string  `json:"reason"`
			} `json:"tags"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, l)
		}
		if len(v.Tags) == 0 {
			t.Errorf("line %d: no tags", i)
		}
		for _, g := range v.Tags {
			if g.Name == "" || g.Reason == "" || g.Score <= 0 {
				t.Errorf("line %d: tag %+v", i, g)
			}
		}
	}
	if !strings.Contains(lines[2], `"noise"`) {
		t.Errorf("thanks: %s", lines[2])
	}
}

func TestTagWithOperatorRules(t *testing.T) {
	setExampleEnv(t)
	code, out, errs := run(t, "환불을 요청합니다\n", "tag", "-config", "testdata/openear.yaml")
	if code != 0 || !strings.Contains(out, "billing") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"nope"}, {"check", "-nope"}, {"threads", "-state", "weird", "-db", "x"}} {
		if code, _, _ := run(t, "", args...); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
	}
	for _, args := range [][]string{{"-h"}, {"check", "-h"}, {"version"}} {
		if code, _, errs := run(t, "", args...); code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCheckSaysWhichAPIURL: check names the Web API base it will use for
// each form of slack.api_url and discord.api_url.
func TestCheckSaysWhichAPIURL(t *testing.T) {
	setExampleEnv(t)
	path := t.TempDir() + "/api.yaml"
	writeFile(t, path, `
slack:
  bot_token: ${SLACK_BOT_TOKEN}
  signing_secret: ${SLACK_SIGNING_SECRET}
  api_url: "http://127.0.0.1:9000"
  triage_channel: C0T
  channels: [C1]
discord:
  token: ${DISCORD_BOT_TOKEN}
  api_url: "http://127.0.0.1:9001/api/v10/"
  triage_channel: "1"
  channels: ["2"]
  staff: ["3"]
`)
	code, out, errs := run(t, "", "check", "-config", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"slack: Web API at http://127.0.0.1:9000/api/ (slack.api_url)",
		"discord: REST API at http://127.0.0.1:9001/api/v9/… (discord.api_url)"} {
		if !strings.Contains(out, want) {
			t.Errorf("check does not say %q:\n%s", want, out)
		}
	}
}
