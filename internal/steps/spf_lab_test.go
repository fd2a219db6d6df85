package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// includeTree returns the zone lines of an SPF tree built to explode:
// example.com. includes width names of example.net., and each of those
// includes fanout names of example.org., each with a record of its own.
func includeTree(width, fanout int) (com, net, org []string) {
	var top []string
	for i := range width {
		top = append(top, fmt.Sprintf("include:i%d.example.net", i))
		var below []string
		for j := range fanout {
			below = append(below, fmt.Sprintf("include:l%d-%d.example.org", i, j))
			org = append(org, fmt.Sprintf(`l%d-%d TXT "v=spf1 ip4:198.51.100.%d -all"`, i, j, j))
		}
		net = append(net, fmt.Sprintf(`i%d TXT "v=spf1 %s -all"`, i, strings.Join(below, " ")))
	}
	com = append(com, `@ TXT "v=spf1 `+strings.Join(top, " ")+` -all"`)
	return com, net, org
}

// TestLabSPFIncludeTreeIsBounded checks that a hostile include tree of
// 120 includes of 30 includes each costs a few hundred queries in one
// round, on real loopback servers, and is still judged too large.
func TestLabSPFIncludeTreeIsBounded(t *testing.T) {
	cfg := testConfig(t)
	com, net, org := includeTree(120, 30)
	lab := verifytest.StartLab(t, verifytest.LabConfig{Zones: []string{
		verifytest.Zone("example.com.", com...),
		verifytest.Zone("example.net.", net...),
		verifytest.Zone("example.org.", org...),
	}})
	opts := lab.Options()
	opts.Timeout = 2 * time.Second
	eng, err := verify.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	step, _ := ByID(IDSPF)
	round := eng.Round()
	known := round.Run(ctx, func(known verify.Answers) []verify.Question { return step.Questions(cfg, known) })
	res := step.Judge(cfg, known)
	stats := round.Stats()
	t.Logf("%d questions, %d queries sent\n%s", len(known), stats.Queries, messages(res))
	if !slices.Contains(codes(res), CodeSPFTooManyLookups) {
		t.Errorf("no %s:\n%s", CodeSPFTooManyLookups, messages(res))
	}
	const most = 300
	if stats.Queries > most {
		t.Errorf("the round sent %d queries, want at most %d", stats.Queries, most)
	}
}
