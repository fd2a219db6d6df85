package profile

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDir(t *testing.T) {
	tests := map[string]struct {
		env     map[string]string
		want    string
		wantErr bool
	}{
		"XDG_CONFIG_HOME wins":             {env: map[string]string{"XDG_CONFIG_HOME": "/x/conf", "HOME": "/home/me"}, want: "/x/conf/mailwizard"},
		"relative XDG_CONFIG_HOME ignored": {env: map[string]string{"XDG_CONFIG_HOME": "conf", "HOME": "/home/me"}, want: "/home/me/.config/mailwizard"},
		"HOME fallback":                    {env: map[string]string{"HOME": "/home/me"}, want: "/home/me/.config/mailwizard"},
		"neither":                          {env: map[string]string{}, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Dir(func(k string) string { return tc.env[k] })
			if (err != nil) != tc.wantErr {
				t.Fatalf("Dir error = %v, want error %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("Dir = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPath(t *testing.T) {
	tests := map[string]struct {
		domain  string
		want    string
		wantErr bool
	}{
		"as typed, with dot and capitals": {domain: " Example.COM. ", want: "example.com.toml"},
		"internationalized":               {domain: "Bücher.example", want: "xn--bcher-kva.example.toml"},
		"empty":                           {domain: " . ", wantErr: true},
		"path traversal":                  {domain: "../etc/passwd", wantErr: true},
		"slash":                           {domain: "a/b.example", wantErr: true},
		"empty label":                     {domain: "a..example", wantErr: true},
		"longer than a name can be":       {domain: strings.Repeat("a.", 70000) + "example", wantErr: true},
		"a label longer than 63":          {domain: strings.Repeat("x", 64) + ".example", wantErr: true},
		"one label, no domain":            {domain: "localhost", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Path("/p", tc.domain)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Path(%.80q) error = %v, want error %v", tc.domain, err, tc.wantErr)
			}
			if err != nil && len(err.Error()) > 300 {
				t.Errorf("Path error of %d characters echoes the name: %.300s", len(err.Error()), err)
			}
			if tc.wantErr {
				return
			}
			if want := filepath.Join("/p", tc.want); got != want {
				t.Errorf("Path(%q) = %q, want %q", tc.domain, got, want)
			}
		})
	}
}
