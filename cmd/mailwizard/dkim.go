package main

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/steps"
)

func newDKIMCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dkim",
		Short: "Make keys for DKIM signing",
		// Runnable, so that an unknown subcommand is an error (exit 2)
		// rather than the help and exit 0.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newDKIMGenerateCmd(e))
	return cmd
}

// dkimGenerateFlags are the flags of `dkim generate`.
type dkimGenerateFlags struct {
	selector, algorithm, out string
	bits                     int
}

func newDKIMGenerateCmd(e env) *cobra.Command {
	var f dkimGenerateFlags
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Make a DKIM key pair and print the record to publish",
		Long: `Generate makes a DKIM key pair, writes the private key to --out with mode
0600 (it never overwrites a file), and prints the TXT record to publish. The
private key is never printed.`,
		Example: `  mailwizard dkim generate --selector mail --out /etc/mail/dkim/mail.pem
  mailwizard dkim generate --selector 2026a --algorithm ed25519 --out 2026a.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDKIMGenerate(cmd, f, e)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.selector, "selector", "", "selector the key is published under, e.g. mail (required)")
	fl.StringVar(&f.algorithm, "algorithm", dkimkey.RSA, "key algorithm: rsa or ed25519")
	fl.IntVar(&f.bits, "bits", 2048, "size of an RSA key: 2048, 3072 or 4096")
	fl.StringVar(&f.out, "out", "", "file to write the private key to (required; never overwritten)")
	return cmd
}

func runDKIMGenerate(cmd *cobra.Command, f dkimGenerateFlags, e env) error {
	var problems []string
	if err := checkSelector(f.selector); err != nil {
		problems = append(problems, "--selector: "+err.Error())
	}
	f.algorithm = strings.ToLower(f.algorithm)
	switch f.algorithm {
	case dkimkey.RSA:
		if f.bits != 2048 && f.bits != 3072 && f.bits != 4096 {
			problems = append(problems, fmt.Sprintf("--bits %d: use 2048 (the usual size), 3072 or 4096", f.bits))
		}
	case dkimkey.Ed25519:
		if cmd.Flags().Changed("bits") {
			problems = append(problems, "--bits: only RSA keys have a size; leave it out with --algorithm ed25519")
		}
	default:
		problems = append(problems, fmt.Sprintf("--algorithm %q: use rsa or ed25519", f.algorithm))
	}
	if f.out == "" {
		problems = append(problems, "--out: required: the file to write the private key to")
	} else if problem := checkOut(f.out, f.selector); problem != "" {
		problems = append(problems, fmt.Sprintf("--out %s: %s", f.out, problem))
	}
	if len(problems) > 0 {
		return badInputLines(problems)
	}
	key, err := dkimkey.Generate(f.algorithm, f.bits)
	if err != nil {
		return badInput("generate the key: %w", err)
	}
	if err := dkimkey.WritePrivate(f.out, key); err != nil {
		if errors.Is(err, dkimkey.ErrExists) {
			return badInput("--out %s: file exists; refusing to overwrite a key (move it away or choose another name)", f.out)
		}
		return badInput("--out %s: cannot write the key there: %w", f.out, withoutPath(err))
	}
	value, err := dkimkey.RecordValue(key.Public())
	if err != nil {
		return fmt.Errorf("render the record: %w", err)
	}
	host := f.selector + "._domainkey"
	fmt.Fprintf(e.stdout, "Wrote the private key to %s (mode 0600). Point your mail server's DKIM signing at it; never share it.\n\n", f.out)
	fmt.Fprintf(e.stdout, "Publish this TXT record at your DNS provider:\n\n")
	fmt.Fprintf(e.stdout, "  Host   %s\n  Type   TXT\n  Value  %s\n\n", host, value)
	fmt.Fprintf(e.stdout, "As a zone-file line (inside your domain's zone):\n\n  %s 3600 IN TXT %s\n", host, quoteTXT(value))
	return nil
}

// checkOut says what is wrong with out as the new key's file, or "": it
// must not exist (a key is never overwritten) and its folder must.
func checkOut(out, selector string) string {
	st, err := os.Lstat(out)
	switch {
	case err == nil && st.IsDir():
		return fmt.Sprintf("is a folder; give a file name in it, such as %s", filepath.Join(out, cmp.Or(selector, "dkim")+".pem"))
	case err == nil:
		return "file exists; refusing to overwrite a key (move it away or choose another name)"
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
		return "cannot use it: " + withoutPath(err).Error()
	}
	dir := filepath.Dir(out)
	st, err = os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("the folder %s does not exist; make it first (mkdir -p %s)", dir, dir)
	case err != nil:
		return fmt.Sprintf("cannot use the folder %s: %v", dir, withoutPath(err))
	case !st.IsDir():
		return fmt.Sprintf("%s is not a folder", dir)
	}
	return ""
}

// checkSelector accepts a selector of one or more DNS labels (RFC 6376
// §3.1): letters, digits and hyphens, no hyphen at either end of a label.
func checkSelector(s string) error {
	if s == "" {
		return errors.New("required: the name the key is published under, e.g. mail")
	}
	if len(s) > 63*4 {
		return fmt.Errorf("%q is %d characters long; a selector can have at most %d", steps.Clip(s), len(s), 63*4)
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return fmt.Errorf("%q is not a selector: use letters, digits and hyphens, like mail or 2026a", s)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return fmt.Errorf("%q is not a selector: use letters, digits and hyphens, like mail or 2026a", s)
			}
		}
	}
	return nil
}

// quoteTXT renders a TXT value as quoted strings of at most 255 octets
// (RFC 1035 §3.3.14). A DKIM value has no quotes or backslashes to escape.
func quoteTXT(v string) string {
	parts := steps.Record{Type: "TXT", Value: v}.Strings()
	for i, p := range parts {
		parts[i] = `"` + p + `"`
	}
	return strings.Join(parts, " ")
}
