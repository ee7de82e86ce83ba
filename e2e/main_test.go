package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// buildDir holds the openear binary built once for the package's tests.
var buildDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "openear-e2e-")
	if err != nil {
		panic(err)
	}
	buildDir = dir
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { os.RemoveAll(dir) }))
}

var (
	buildOnce sync.Once
	buildErr  error
	buildOut  []byte
)

// binary builds the openear command once (go build -o) and returns its
// path. OPENEAR_E2E_RACE=1 builds it with -race.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(buildDir, "openear")
	buildOnce.Do(func() {
		args := []string{"build", "-o", bin}
		if os.Getenv("OPENEAR_E2E_RACE") == "1" {
			args = append(args, "-race")
		}
		args = append(args, "github.com/openear/openear")
		cmd := exec.Command("go", args...)
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return bin
}
