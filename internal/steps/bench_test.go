package steps

import (
	"testing"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// fullWorld is a world serving every record of the full Config.
func fullWorld(b *testing.B) (Config, verify.Answers) {
	cfg := fullConfig(b, "rsa2048.pem")
	w := newWorld(b)
	for _, s := range All() {
		w.publish(s.Records(cfg))
	}
	w.add("ns1.example.net.", `_spf.relay.example.net. TXT "v=spf1 ip4:198.51.100.0/24 -all"`)
	w.add("ns2.example.net.", `_spf.relay.example.net. TXT "v=spf1 ip4:198.51.100.0/24 -all"`)
	return cfg, w.run(Planners(cfg)...)
}

// BenchmarkPlanners measures one call of every planner with a round's
// answers known, as verify makes after each batch of answers.
func BenchmarkPlanners(b *testing.B) {
	cfg, known := fullWorld(b)
	planners := Planners(cfg)
	for b.Loop() {
		for _, p := range planners {
			p(known)
		}
	}
}

// BenchmarkJudgeAll measures judging a whole round.
func BenchmarkJudgeAll(b *testing.B) {
	cfg, known := fullWorld(b)
	for b.Loop() {
		JudgeAll(cfg, known)
	}
}

// BenchmarkNormalize measures checking a full Config, RSA key included.
func BenchmarkNormalize(b *testing.B) {
	for b.Loop() {
		fullConfig(b, "rsa2048.pem")
	}
}
