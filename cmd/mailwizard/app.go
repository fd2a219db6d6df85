package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/charmbracelet/fang"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mailwizard/mailwizard/internal/buildinfo"
)

// run runs mailwizard with args and returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	root := newRootCmd(e)
	root.AddCommand(newDemoCmd(e), newCheckCmd(e), newRecordsCmd(e), newDKIMCmd(e), newPublishCmd(e))
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return badInput("%w", flagProblem(err))
	})
	// The whole line (version, full commit, date) is buildinfo's; fang's
	// own commit suffix would repeat it, shortened.
	err := fang.Execute(ctx, root,
		fang.WithVersion(buildinfo.Get().String()),
		fang.WithErrorHandler(printError),
		fang.WithNotifySignal(os.Interrupt, syscall.SIGTERM),
	)
	return exitCode(err)
}

// flagProblem words a flag value that does not parse as mailwizard's other
// problems are worded, without Go's parser errors: `--bits "abc": want a
// whole number`. Other flag errors pass unchanged.
func flagProblem(err error) error {
	var iv *pflag.InvalidValueError
	if !errors.As(err, &iv) {
		return err
	}
	var want string
	switch iv.GetFlag().Value.Type() {
	case "int", "uint", "uint32":
		want = "want a whole number"
	case "duration":
		want = "want a duration with a unit, like 5s, 1m or 1h30m"
	case "bool":
		want = "want true or false, or leave the value out"
	default:
		return err
	}
	return fmt.Errorf("--%s %q: %s", iv.GetFlag().Name, iv.GetValue(), want)
}

// printError prints an error as plain lines, each prefixed with the
// program's name: "mailwizard: --ip: "x" is not an IP address". Silent exit
// errors print nothing.
func printError(w io.Writer, _ fang.Styles, err error) {
	var ee *exitError
	if errors.As(err, &ee) && ee.err == nil {
		return
	}
	for line := range strings.SplitSeq(err.Error(), "\n") {
		fmt.Fprintln(w, "mailwizard: "+line)
	}
}
