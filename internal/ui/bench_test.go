package ui

import (
	"context"
	"fmt"
	"io"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailwizard/mailwizard/internal/demo"
	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// BenchmarkFirstFrame measures the model's part of the start: building the
// wizard (styles, form, key map), taking the window size and drawing the
// first screen.
func BenchmarkFirstFrame(b *testing.B) {
	be := testBackend(newFakeWorld())
	all := steps.All()
	for b.Loop() {
		m := newModel(modelConfig{look: look{dark: true}}, be, all)
		next, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		if next.View().Content == "" {
			b.Fatal("empty first frame")
		}
	}
}

// BenchmarkStartToFirstFrame measures a real program from NewProgram to
// the first bytes written to the terminal.
func BenchmarkStartToFirstFrame(b *testing.B) {
	be := testBackend(newFakeWorld())
	all := steps.All()
	for b.Loop() {
		out := &firstWrite{done: make(chan struct{})}
		in, inw := io.Pipe()
		p := tea.NewProgram(newModel(modelConfig{look: look{dark: true}}, be, all),
			tea.WithInput(in), tea.WithOutput(out), tea.WithWindowSize(80, 24), tea.WithoutSignals())
		go func() { _, _ = p.Run() }()
		<-out.done
		p.Kill()
		_ = inw.Close()
		p.Wait()
	}
}

// firstWrite closes done on the first write.
type firstWrite struct {
	once sync.Once
	done chan struct{}
}

func (w *firstWrite) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.done) })
	return len(p), nil
}

// BenchmarkIdlePolling runs the wizard on a step of the demo world,
// polling at the default 5 s interval, and reports the CPU it uses per
// second of wall time (cpu-ms/s): redraws once a second and a check round
// every 5 s, no busy loop. One iteration is one second.
func BenchmarkIdlePolling(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	world, err := demo.StartWith(ctx, demo.Options{KeyAlgorithm: dkimkey.Ed25519})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = world.Close() }()
	opts := Options{Config: world.Config(), Verify: world.Verify(), Demo: world}
	m := newModel(modelConfig{cfg: opts.Config, interval: defaultInterval, look: look{dark: true}}, realBackend(b.Context(), opts), steps.All())
	onStep, cmd := m.goStep(stepIndex(b, steps.IDDKIM))
	in, inw := io.Pipe()
	defer func() { _ = inw.Close() }()
	p := tea.NewProgram(starter{onStep, cmd}, tea.WithInput(in), tea.WithOutput(io.Discard), tea.WithWindowSize(120, 40), tea.WithoutSignals())
	go func() { _, _ = p.Run() }()
	defer p.Kill()
	time.Sleep(time.Second) // past the first round

	before, wallStart := cpuTime(b), time.Now()
	b.ResetTimer()
	for b.Loop() {
		time.Sleep(time.Second)
	}
	b.StopTimer()
	used, wall := cpuTime(b)-before, time.Since(wallStart)
	b.ReportMetric(float64(used.Milliseconds())/wall.Seconds(), "cpu-ms/s")
}

// starter is a model that begins with a command of its own.
type starter struct {
	model
	cmd tea.Cmd
}

func (s starter) Init() tea.Cmd { return s.cmd }

// cpuTime is the process's user and system CPU time.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStepView measures drawing one step screen (the DKIM step, the
// biggest) at 80x24 and at 200x60.
func BenchmarkStepView(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			m := newModel(modelConfig{cfg: testConfig(b), look: look{dark: true}}, testBackend(newFakeWorld()), steps.All())
			next, _ := m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			onStep, _ := next.(model).goStep(stepIndex(b, steps.IDDKIM))
			for b.Loop() {
				_ = onStep.View()
			}
		})
	}
}
