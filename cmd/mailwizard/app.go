package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mailwizard/mailwizard/internal/buildinfo"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// run runs mailwizard with args and returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	root := newRootCmd(e)
	root.AddCommand(newDemoCmd(e), newCheckCmd(e), newRecordsCmd(e), newDKIMCmd(e), newPublishCmd(e),
		newCompletionCmd(), newManCmd())
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return badInput("%w", flagProblem(err))
	})
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { writeHelp(c.OutOrStdout(), c, helpWidth(e, c.OutOrStdout())) })
	root.SilenceUsage, root.SilenceErrors = true, true
	root.CompletionOptions.DisableDefaultCmd = true
	root.Version = buildinfo.Get().String()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err != nil {
		printError(e.stderr, err)
	}
	return exitCode(err)
}

// Shells completion scripts are made for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// newCompletionCmd prints a shell's completion script; any other shell is
// bad input, never the help with exit code 0.
func newCompletionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "completion SHELL",
		Short: "Print the completion script of a shell: " + strings.Join(completionShells, ", "),
		Long: `Completion prints the script that completes mailwizard's commands and flags
in a shell: bash, zsh, fish or powershell. Load it in the shell's startup
file, for example:

  source <(mailwizard completion bash)`,
		Args:      cobra.ArbitraryArgs,
		ValidArgs: completionShells,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return badInput("completion: name one shell: %s", strings.Join(completionShells, ", "))
			}
			out, root := cmd.OutOrStdout(), cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return badInput("completion: unknown shell %q; use %s", steps.Clip(args[0]), strings.Join(completionShells, ", "))
		},
	}
}

// newManCmd prints the manual page.
func newManCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "man",
		Short: "Print the manual page (roff): mailwizard man | man -l -",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return writeMan(cmd.OutOrStdout(), cmd.Root())
		},
	}
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
func printError(w io.Writer, err error) {
	var ee *exitError
	if errors.As(err, &ee) && ee.err == nil {
		return
	}
	for line := range strings.SplitSeq(err.Error(), "\n") {
		fmt.Fprintln(w, "mailwizard: "+line)
	}
}
