package buildinfo

import "testing"

func TestInfoString(t *testing.T) {
	tests := map[string]struct {
		info Info
		want string
	}{
		"release build": {
			info: Info{Version: "1.2.3", Commit: "2222222222222222222222222222222222222222", Date: "2026-03-04T05:06:07Z"},
			want: "1.2.3 (commit 2222222222222222222222222222222222222222, 2026-03-04T05:06:07Z)",
		},
		"go install at a tag": {
			info: Info{Version: "v1.4.0"},
			want: "v1.4.0",
		},
		"commit without a date": {
			info: Info{Version: "dev", Commit: "1111111111111111111111111111111111111111"},
			want: "dev (commit 1111111111111111111111111111111111111111)",
		},
		"date without a commit": {
			info: Info{Version: "v1.4.0", Date: "2026-01-02T03:04:05Z"},
			want: "v1.4.0 (2026-01-02T03:04:05Z)",
		},
		"nothing known": {
			info: Info{Version: DevVersion},
			want: "dev",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.info.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}
