package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openear/openear/config"
)

// FuzzParse checks that Parse and Validate never panic, and that no
// message shows a secret. Seeds are in testdata/fuzz/FuzzParse and the
// example configs.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"openear.yaml", "bad-key.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse("fuzz.yaml", data, getenv)
		if err == nil {
			err = c.Validate()
			if c.BusinessHours != nil {
				c.BusinessHours.Days()
				c.BusinessHours.HolidayDates()
				c.BusinessHours.Location()
			}
		}
		if err != nil {
			noSecrets(t, err.Error())
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Errorf("error does not name the file: %v", err)
			}
		}
	})
}
