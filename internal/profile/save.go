package profile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// Save writes cfg to path atomically with mode 0600, creating the folder
// (0700) when needed. It refuses to replace a file that exists but does not
// load, so that a hand-edited profile with a typo is never lost.
func Save(path string, cfg steps.Config) error {
	if _, err := Load(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("refuse to overwrite %s, which does not load; fix it or move it away first: %w", path, err)
	}
	data, err := encode(cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	return writeAtomic(path, data)
}

func encode(cfg steps.Config) ([]byte, error) {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# mailwizard profile for %s\n", cfg.Domain)
	buf.WriteString("# Keys are named like the command-line flags. No secret is stored here:\n")
	buf.WriteString("# dkim-key is the path of the private key, not the key.\n\n")
	if err := toml.NewEncoder(&buf).Encode(fromConfig(cfg)); err != nil {
		return nil, fmt.Errorf("encode profile: %w", err)
	}
	return buf.Bytes(), nil
}

// writeAtomic writes data to a temp file in path's folder, syncs it,
// renames it over path and syncs the folder, so that a crash leaves either
// the old file or the new one, never half of one.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("save profile: sync %s: %w", dir, err)
	}
	return nil
}
