package profile

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// dirName is the folder under the user's config folder.
const dirName = "mailwizard"

// Dir returns the folder that holds the profiles:
// $XDG_CONFIG_HOME/mailwizard when XDG_CONFIG_HOME is an absolute path
// (the XDG Base Directory rule), else $HOME/.config/mailwizard.
func Dir(getenv func(string) string) (string, error) {
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, dirName), nil
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".config", dirName), nil
	}
	return "", errors.New("find the profile folder: neither XDG_CONFIG_HOME nor HOME is set")
}

// Path returns the profile file of domain in dir: "<dir>/example.com.toml".
// The domain may be typed any way a person types it ("Example.COM.",
// "bücher.example"); the file is named after its lower-case punycode form.
func Path(dir, domain string) (string, error) {
	name, err := fileName(domain)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name+".toml"), nil
}

func fileName(domain string) (string, error) {
	name, err := steps.CheckDomain(domain)
	if err != nil {
		return "", fmt.Errorf("profile name: %w", err)
	}
	return strings.TrimSuffix(name, "."), nil
}
