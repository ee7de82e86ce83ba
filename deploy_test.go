package main

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/slack"
)

// TestDeployFilesAgree: README points at every deploy file and states the
// Slack scopes and Discord permissions the code needs; the Containerfile,
// compose.yaml, the systemd unit and the example config agree on paths,
// port, user and variables. (CI builds the image and verifies the unit.)
func TestDeployFilesAgree(t *testing.T) {
	readme := readFile(t, "README.md")
	for _, f := range []string{"Containerfile", "deploy/compose.yaml", "deploy/env.example", "deploy/openear.service",
		"deploy/slack-manifest.yaml", "deploy/slack-manifest-events-api.yaml"} {
		readFile(t, f)
		if !strings.Contains(readme, "("+f+")") {
			t.Errorf("README does not link %s", f)
		}
	}
	for _, s := range slack.Scopes(slack.Config{DMs: true}) {
		if !strings.Contains(readme, "`"+s+"`") {
			t.Errorf("README's Slack setup does not name the scope %s", s)
		}
	}
	if want := "permissions=" + strconv.FormatInt(discord.Permissions, 10); !strings.Contains(readme, want) {
		t.Errorf("README's invite URL does not have %s", want)
	}

	example := readFile(t, "testdata/openear.yaml")
	for _, want := range []string{"path: /var/lib/openear/openear.db", `listen: "0.0.0.0:8080"`} {
		if !strings.Contains(example, want) {
			t.Errorf("the example config no longer has %q, which the image, compose and the unit assume", want)
		}
	}

	cf := readFile(t, "Containerfile")
	for _, want := range []string{`CMD ["run", "-config", "/etc/openear/openear.yaml"]`, `VOLUME ["/var/lib/openear"]`,
		"EXPOSE 8080", "USER 65532:65532", "CGO_ENABLED=0", "-tags=timetzdata", "FROM scratch",
		`"health", "-url", "http://127.0.0.1:8080/healthz"`} {
		if !strings.Contains(cf, want) {
			t.Errorf("Containerfile lacks %s", want)
		}
	}
	if !strings.Contains(readFile(t, "deploy/container/passwd"), "openear:x:65532:65532:") {
		t.Error("deploy/container/passwd has no openear with uid 65532")
	}

	var compose struct {
		Services map[string]struct {
			Profiles    []string          `yaml:"profiles"`
			Volumes     []string          `yaml:"volumes"`
			Ports       []string          `yaml:"ports"`
			EnvFile     string            `yaml:"env_file"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, "deploy/compose.yaml")), &compose); err != nil {
		t.Fatal(err)
	}
	profiles := map[string]int{}
	for name, s := range compose.Services {
		for _, p := range s.Profiles {
			profiles[p]++
		}
		if !strings.HasPrefix(name, "openear") {
			continue
		}
		if !slices.Contains(s.Volumes, "./openear.yaml:/etc/openear/openear.yaml:ro") || s.EnvFile != ".env" {
			t.Errorf("compose %s: config not mounted at /etc/openear/openear.yaml, or no .env", name)
		}
		if len(s.Ports) != 1 || !strings.HasSuffix(s.Ports[0], ":8080") {
			t.Errorf("compose %s: ports %q do not publish 8080", name, s.Ports)
		}
		if slices.Contains(s.Profiles, "postgres") && !strings.HasPrefix(s.Environment["OPENEAR_POSTGRES_URL"], "postgres://") {
			t.Errorf("compose %s: no OPENEAR_POSTGRES_URL", name)
		}
	}
	if profiles["bbolt"] != 1 || profiles["postgres"] != 3 {
		t.Errorf("compose profiles %v: want one bbolt openear; PostgreSQL and two replicas", profiles)
	}
	if !slices.Contains(compose.Services["openear"].Volumes, "openear-data:/var/lib/openear") {
		t.Error("compose: the bbolt openear has no volume at /var/lib/openear")
	}

	env := readFile(t, "deploy/env.example")
	var values strings.Builder // the example without its comments
	for _, line := range strings.Split(example, "\n") {
		v, _, _ := strings.Cut(line, "#")
		values.WriteString(v + "\n")
	}
	for _, m := range regexp.MustCompile(`\$\{([A-Z_]+)\}`).FindAllStringSubmatch(values.String(), -1) {
		if !strings.Contains(env, "\n"+m[1]+"=") {
			t.Errorf("deploy/env.example lacks %s, which the example config reads", m[1])
		}
	}

	unit := readFile(t, "deploy/openear.service")
	for _, want := range []string{"ExecStart=/usr/local/bin/openear run -config /etc/openear/openear.yaml",
		"StateDirectory=openear", "EnvironmentFile=/etc/openear/openear.env", "DynamicUser=yes",
		"Restart=on-failure", "ProtectSystem=strict", "NoNewPrivileges=yes"} {
		if !strings.Contains(unit, "\n"+want+"\n") {
			t.Errorf("deploy/openear.service lacks %s", want)
		}
	}
}

// TestVersionCommand: one line naming openear and the toolchain; -json
// has the fields.
func TestVersionCommand(t *testing.T) {
	code, out, errs := run(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "openear ") || !strings.Contains(out, " go1.") {
		t.Fatalf("version: exit %d %q %q", code, out, errs)
	}
	code, out, _ = run(t, "", "version", "-json")
	if code != 0 || !strings.Contains(out, `"version":`) || !strings.Contains(out, `"go":"go1.`) {
		t.Fatalf("version -json: exit %d %q", code, out)
	}
}
