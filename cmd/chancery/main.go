// Command chancery runs a Chancery consortium-chain node — CometBFT consensus,
// the application state machine and the web server in one process — and the
// tools around it: init, keys, verify, testnet, bench.
//
// This is the only package that wires the others together.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is a subcommand: its name, one line of help, and its body, which
// gets the arguments after the name.
type command struct {
	name, args, help string
	run              func(args []string, stdout io.Writer) error
}

func commands() []command {
	return []command{
		{"init", "[--home DIR] [--chain-id ID] [--demo]", "create a node home: keys, genesis, config, admin user", runInit},
		{"start", "[--home DIR] [--http ADDR]", "run the node and its web server until interrupted", runStart},
		{"keys", "new|list|show NAME [--dir DIR]", "manage local signing keys for scripts", runKeys},
		{"verify", "RECEIPT [--file F|--sha256 H] [--genesis G]", "check a receipt offline: signatures, proofs, content", runVerify},
		{"testnet", "--validators N --out DIR [flags]", "create one home per validator of a new chain", runTestnet},
		{"health", "[--url URL]", "exit 0 if the node at URL is ready (container health check)", runHealth},
		{"bench", "[--duration D] [--url U] [flags]", "measure committed tx/s and latency; see docs/benchmarks.md", runBench},
		{"version", "", "print the version", runVersion},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is an error in how the command was called; it exits with 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		if slices.ContainsFunc(args[1:], isHelpFlag) {
			fmt.Fprintf(stdout, "Usage: %s\n  %s\n", strings.TrimSpace("chancery "+c.name+" "+c.args), c.help)
			if c.name == "version" {
				return 0
			}
		}
		err := c.run(args[1:], stdout)
		if err == nil {
			return 0
		}
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		// One line saying what to fix.
		fmt.Fprintf(stderr, "chancery %s: %s\n", c.name, strings.ReplaceAll(err.Error(), "\n", " "))
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stderr, "chancery: unknown command %q (see \"chancery help\")\n", args[0])
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Chancery: a consortium chain for justice evidence, copyright and supply-chain finance.")
	fmt.Fprintln(w, "\nUsage: chancery COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %-40s %s\n", c.name, c.args, c.help)
	}
	fmt.Fprintln(w, "\nThe home defaults to $CHANCERY_HOME or ~/.chancery.")
}

// isHelpFlag reports whether arg asks for help.
func isHelpFlag(arg string) bool { return arg == "-h" || arg == "--help" || arg == "-help" }

// newFlags returns a flag set that reports errors as usage errors instead of
// printing and exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("chancery "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(os.Stdout)
			fs.PrintDefaults()
			return err
		}
		return usagef("%v", err)
	}
	return nil
}

func runVersion(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	fmt.Fprintf(stdout, "chancery %s\n", version)
	return nil
}
