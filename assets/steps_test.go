package assets

import (
	"reflect"
	"strings"
	"testing"
)

// TestStepTexts checks every text the way the wizard shows it: every field
// filled, each paragraph and pitfall one line of full sentences. That every
// step of internal/steps has a text, and every text a step, is tested there.
func TestStepTexts(t *testing.T) {
	texts, err := Steps()
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) == 0 {
		t.Fatal("Steps() found no text")
	}
	for _, text := range texts {
		t.Run(text.ID, func(t *testing.T) {
			if got, ok := Step(text.ID); !ok || !reflect.DeepEqual(got, text) {
				t.Fatalf("Step(%q) = %+v, %v; want the text Steps() lists", text.ID, got, ok)
			}
			if text.Why == "" || text.Where == "" || len(text.Pitfalls) == 0 {
				t.Errorf("Step(%q) = %+v, want every field filled", text.ID, text)
			}
			for _, s := range append([]string{text.Why, text.Where}, text.Pitfalls...) {
				if strings.Contains(s, "\n") || strings.Contains(s, "  ") {
					t.Errorf("text %q is not joined into one line", s)
				}
				if !strings.HasSuffix(s, ".") {
					t.Errorf("text %q does not end a sentence", s)
				}
			}
		})
	}
}

func TestStepTextsSayWhatUsersNeed(t *testing.T) {
	tests := map[string]struct {
		id        string
		where     string // Where must contain this
		notWhere  string // … and must not contain this
		pitfall   string // one pitfall must contain this
		whyAtMost int    // characters
	}{
		"ptr is set at the hosting provider":    {id: "ptr", where: "hosting provider", notWhere: "At your DNS provider", pitfall: "your-server.de."},
		"host warns about the Cloudflare proxy": {id: "host", where: "DNS provider", pitfall: "DNS only"},
		"host explains negative caching":        {id: "host", where: "DNS provider", pitfall: "SOA minimum"},
		"mx warns about the doubled domain":     {id: "mx", where: "DNS provider", pitfall: "mail.example.com.example.com"},
		"mx warns about the missing final dot":  {id: "mx", where: "DNS provider", pitfall: "End the target with a dot"},
		"spf warns about two records":           {id: "spf", where: "DNS provider", pitfall: "Two SPF records"},
		"dkim warns about pasted quotes":        {id: "dkim", where: "_domainkey", pitfall: `(" ")`},
		"dkim explains the 255-character limit": {id: "dkim", where: "DNS provider", pitfall: "255"},
		"dmarc is not at the apex":              {id: "dmarc", where: "_dmarc", pitfall: "not on the domain itself"},
		"autoconfig explains SRV forms":         {id: "autoconfig", where: "SRV", pitfall: "weight"},
		"blocklist publishes nothing":           {id: "blocklist", where: "Nothing to publish", notWhere: "DNS provider", pitfall: "127.255.255"},
		"server says where it looks from":       {id: "server", where: "where the check ran", notWhere: "DNS provider", pitfall: "port 25"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			text, ok := Step(tt.id)
			if !ok {
				t.Fatalf("Step(%q) found no text", tt.id)
			}
			if !strings.Contains(text.Where, tt.where) {
				t.Errorf("Where = %q, want it to mention %q", text.Where, tt.where)
			}
			if tt.notWhere != "" && strings.Contains(text.Where, tt.notWhere) {
				t.Errorf("Where = %q, must not say %q", text.Where, tt.notWhere)
			}
			if !containsAny(text.Pitfalls, tt.pitfall) {
				t.Errorf("Pitfalls = %q, want one to mention %q", text.Pitfalls, tt.pitfall)
			}
			if len(text.Why) > 500 {
				t.Errorf("Why has %d characters, want a short explanation of at most 500", len(text.Why))
			}
		})
	}
}

func TestStepUnknownID(t *testing.T) {
	for _, id := range []string{"", "no-such-step", "HOST", "../providers", "steps/host", "host.md", "."} {
		t.Run(id, func(t *testing.T) {
			if text, ok := Step(id); ok {
				t.Errorf("Step(%q) = %+v, want no text", id, text)
			}
		})
	}
}

func TestParseStep(t *testing.T) {
	const valid = "+++\nid = \"x\"\n+++\n\n# Why\nIt matters.\nA lot.\n\n# Where\nAt your DNS provider.\n\n# Pitfalls\n- One thing\n  goes wrong.\n- Another.\n"
	tests := map[string]struct {
		data    string
		want    StepText
		wantErr string
	}{
		"valid text with continued lines": {
			data: valid,
			want: StepText{ID: "x", Why: "It matters. A lot.", Where: "At your DNS provider.",
				Pitfalls: []string{"One thing goes wrong.", "Another."}},
		},
		"windows line ends": {
			data: strings.ReplaceAll(valid, "\n", "\r\n"),
			want: StepText{ID: "x", Why: "It matters. A lot.", Where: "At your DNS provider.",
				Pitfalls: []string{"One thing goes wrong.", "Another."}},
		},
		"no front matter":        {data: "# Why\nx\n", wantErr: "missing front matter"},
		"front matter not ended": {data: "+++\nid = \"x\"\n# Why\n", wantErr: "not closed"},
		"bad toml":               {data: "+++\nid = x\n+++\n", wantErr: "front matter"},
		"unknown key":            {data: strings.Replace(valid, "id = \"x\"\n", "id = \"x\"\ntitle = \"X record\"\n", 1), wantErr: "unknown key"},
		"empty id":               {data: strings.Replace(valid, "id = \"x\"", "id = \"\"", 1), wantErr: "id is required"},
		"unknown section":        {data: strings.Replace(valid, "# Where", "# Wherever", 1), wantErr: "unknown section"},
		"section twice":          {data: valid + "# Why\nAgain.\n", wantErr: "appears twice"},
		"missing section":        {data: strings.Replace(valid, "# Where\nAt your DNS provider.\n", "", 1), wantErr: `missing section "Where"`},
		"text before a section":  {data: strings.Replace(valid, "+++\n\n# Why", "+++\nStray.\n# Why", 1), wantErr: "before the first section"},
		"empty why":              {data: strings.Replace(valid, "It matters.\nA lot.\n", "", 1), wantErr: "must not be empty"},
		"no pitfalls":            {data: strings.Split(valid, "- One")[0], wantErr: "at least one item"},
		"pitfall not a list":     {data: strings.Replace(valid, "- Another.", "Another.", 1), wantErr: "neither"},
		"empty pitfall":          {data: strings.Replace(valid, "- Another.", "-  ", 1), wantErr: "empty item"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parseStep(tt.data)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseStep error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseStep = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func BenchmarkStep(b *testing.B) {
	for b.Loop() {
		if _, ok := Step("dkim"); !ok {
			b.Fatal("no dkim text")
		}
	}
}

// containsAny reports whether one of texts contains sub.
func containsAny(texts []string, sub string) bool {
	for _, s := range texts {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
