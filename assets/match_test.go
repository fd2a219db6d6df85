package assets

import (
	"strings"
	"testing"
)

func TestMatchSuffix(t *testing.T) {
	tests := map[string]struct {
		name, pattern string
		want          bool
	}{
		"literal suffix":                 {name: "a.ns.cloudflare.com.", pattern: "ns.cloudflare.com.", want: true},
		"no final dots":                  {name: "a.ns.cloudflare.com", pattern: "ns.cloudflare.com", want: true},
		"case-insensitive":               {name: "A.NS.CloudFlare.COM.", pattern: "ns.cloudflare.com.", want: true},
		"label prefix wildcard":          {name: "ns-1.awsdns-01.com.", pattern: "awsdns-*.com.", want: true},
		"whole label wildcard":           {name: "ns1.ui-dns.de.", pattern: "ui-dns.*", want: true},
		"the suffix itself":              {name: "ns.cloudflare.com.", pattern: "ns.cloudflare.com."},
		"not at a label boundary":        {name: "a.xns.cloudflare.com.", pattern: "ns.cloudflare.com."},
		"prefix wildcard not a prefix":   {name: "ns-1.xawsdns-01.com.", pattern: "awsdns-*.com."},
		"wildcard needs a label":         {name: "ui-dns.de.", pattern: "ui-dns.*"},
		"other tld":                      {name: "a.ns.cloudflare.net.", pattern: "ns.cloudflare.com."},
		"empty name":                     {name: "", pattern: "example."},
		"empty label in the name":        {name: "a..ns.cloudflare.com.", pattern: "ns.cloudflare.com."},
		"surrounding spaces are ignored": {name: " a.ns.cloudflare.com. ", pattern: "ns.cloudflare.com.", want: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := matchSuffix(tt.name, tt.pattern); got != tt.want {
				t.Errorf("matchSuffix(%q, %q) = %v, want %v", tt.name, tt.pattern, got, tt.want)
			}
		})
	}
}

func TestCheckPattern(t *testing.T) {
	tests := map[string]struct {
		pattern string
		wantErr string // "" for a valid pattern
	}{
		"literal":               {pattern: "ns.cloudflare.com."},
		"prefix wildcard":       {pattern: "awsdns-*.co.uk."},
		"tld wildcard":          {pattern: "ui-dns.*"},
		"prefix wildcards only": {pattern: "awsdns-*.*"},
		"empty":                 {pattern: "", wantErr: "not a domain suffix"},
		"root":                  {pattern: ".", wantErr: "not a domain suffix"},
		"empty label":           {pattern: "a..example.", wantErr: "not a domain suffix"},
		"star inside a label":   {pattern: "a*b.example.", wantErr: "may only end a label"},
		"two stars":             {pattern: "a**.example.", wantErr: "may only end a label"},
		"star alone":            {pattern: "*", wantErr: "matches every name"},
		"stars only":            {pattern: "*.*.", wantErr: "matches every name"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := checkPattern(tt.pattern)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("checkPattern(%q) = %v, want nil", tt.pattern, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("checkPattern(%q) = %v, want an error containing %q", tt.pattern, err, tt.wantErr)
			}
		})
	}
}
