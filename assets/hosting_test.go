package assets

import (
	"strings"
	"testing"
)

func TestHostingParse(t *testing.T) {
	hosts, err := loadHosting()
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) < 2 || hosts[len(hosts)-1].ID != OtherHostingID {
		t.Fatalf("hosting providers %+v, want several with %q last", hosts, OtherHostingID)
	}
	for _, h := range hosts {
		if !strings.HasSuffix(h.PTR, ".") || (h.Port25 != "" && !strings.HasSuffix(h.Port25, ".")) {
			t.Errorf("%s: ptr %q and port25 %q must be full sentences", h.ID, h.PTR, h.Port25)
		}
	}
}

func TestHostingFacts(t *testing.T) {
	tests := map[string]struct {
		id          string
		ptr, port25 string // must contain; port25 "" means unknown, so empty
	}{
		"hetzner cloud blocks 25 and 465":         {id: "hetzner-cloud", ptr: "dns_ptr", port25: "25 and 465"},
		"hetzner robot restores the generic name": {id: "hetzner-robot", ptr: "your-server.de."},
		"digitalocean uses the droplet name":      {id: "digitalocean", ptr: "Droplet's name", port25: "blocked"},
		"google cloud always blocks 25":           {id: "gcp", ptr: "publicPtrDomainName", port25: "always blocked"},
		"aws needs an elastic ip":                 {id: "aws", ptr: "Elastic IP", port25: "465 and 587"},
		"azure has no portal setting":             {id: "azure", ptr: "not", port25: "pay-as-you-go"},
		"unknown port 25 stays empty":             {id: "ovh", ptr: "Modify the reverse"},
		"the generic instruction":                 {id: "other", ptr: "reverse DNS"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			h, ok := HostingByID(tt.id)
			if !ok {
				t.Fatalf("HostingByID(%q) found nothing", tt.id)
			}
			if !strings.Contains(h.PTR, tt.ptr) {
				t.Errorf("PTR = %q, want it to mention %q", h.PTR, tt.ptr)
			}
			if (tt.port25 == "") != (h.Port25 == "") || !strings.Contains(h.Port25, tt.port25) {
				t.Errorf("Port25 = %q, want %q", h.Port25, tt.port25)
			}
		})
	}
	if h, ok := HostingByID("nowhere"); ok {
		t.Errorf("HostingByID(nowhere) = %q, want nothing", h.ID)
	}
}

func TestDetectHosting(t *testing.T) {
	tests := map[string]struct {
		ptr  string
		want string // "" for no match
	}{
		"hetzner generic name":            {ptr: "static.25.2.0.192.clients.your-server.de.", want: "hetzner-robot"},
		"hetzner in capitals, no dot":     {ptr: "STATIC.25.2.0.192.CLIENTS.YOUR-SERVER.DE", want: "hetzner-robot"},
		"aws us-east-1":                   {ptr: "ec2-54-1-2-3.compute-1.amazonaws.com.", want: "aws"},
		"aws other regions":               {ptr: "ec2-3-1-2-3.eu-west-1.compute.amazonaws.com.", want: "aws"},
		"google cloud":                    {ptr: "25.2.0.192.bc.googleusercontent.com.", want: "gcp"},
		"linode old":                      {ptr: "li123-45.members.linode.com.", want: "linode"},
		"linode new":                      {ptr: "192-0-2-25.ip.linodeusercontent.com.", want: "linode"},
		"the mail host":                   {ptr: "mail.example.com."},
		"hetzner's own name server":       {ptr: "ns1.your-server.de."},
		"the suffix itself":               {ptr: "clients.your-server.de."},
		"suffix followed by another zone": {ptr: "static.1.clients.your-server.de.example.com."},
		"empty":                           {ptr: ""},
		"root":                            {ptr: "."},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			h, ok := DetectHosting(tt.ptr)
			if ok != (tt.want != "") || h.ID != tt.want {
				t.Errorf("DetectHosting(%q) = %q, %v, want %q", tt.ptr, h.ID, ok, tt.want)
			}
		})
	}
}

func TestParseHostingRejects(t *testing.T) {
	const other = "\n[[hosting]]\nid = \"other\"\nname = \"Other\"\nptr = \"Ask.\"\n"
	const one = "[[hosting]]\nid = \"a\"\nname = \"A\"\nptr = \"In the panel.\"\nptr_suffixes = [\"a.example.\"]\n"
	if _, err := parseHosting(one + other); err != nil {
		t.Fatalf("the valid base does not parse: %v", err)
	}
	tests := map[string]struct {
		data    string
		wantErr string
	}{
		"not toml":            {data: "[[hosting]\n", wantErr: "expected"},
		"none":                {data: "", wantErr: "no hosting providers"},
		"unknown key":         {data: strings.Replace(one, "ptr =", "rdns =", 1) + other, wantErr: "unknown key"},
		"missing ptr":         {data: strings.Replace(one, "ptr = \"In the panel.\"\n", "", 1) + other, wantErr: "required"},
		"duplicate id":        {data: one + one + other, wantErr: "appears twice"},
		"bad suffix":          {data: strings.Replace(one, `"a.example."`, `"a..example."`, 1) + other, wantErr: "ptr_suffixes"},
		"other not last":      {data: other + "\n" + one, wantErr: "the last hosting provider"},
		"other is detectable": {data: one + other + "ptr_suffixes = [\"x.example.\"]\n", wantErr: "cannot be detected"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := parseHosting(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseHosting error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
