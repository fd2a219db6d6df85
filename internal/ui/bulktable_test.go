package ui

import (
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// TestBulkTally pins the bulk table's last line: the counts by status,
// the rows not checked and the time, each noun in its right number.
func TestBulkTally(t *testing.T) {
	tests := map[string]struct {
		statuses map[string]int
		bad      int
		want     string
	}{
		"one domain": {map[string]int{"pass": 1}, 0, "\n1 domain: 1 pass, in 1.2s\n"},
		"several":    {map[string]int{"pass": 2, "fail": 1}, 1, "\n4 domains: 2 pass · 1 fail · 1 row not checked (bad input), in 1.2s\n"},
		"bad rows":   {nil, 2, "\n2 domains: 2 rows not checked (bad input), in 1.2s\n"},
		"none":       {nil, 0, "\n0 domains, in 1.2s\n"},
	}
	table := NewBulkTable([]string{"mx"}, TableOptions{})
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := ansi.Strip(table.Tally(tc.statuses, tc.bad, 1234*time.Millisecond)); got != tc.want {
				t.Errorf("Tally = %q, want %q", got, tc.want)
			}
		})
	}
}
