// Command tokenctl-man is `make man` and `make docs`: it writes a man page
// (section 1) for every visible tokenctl command into a directory, and the
// generated documentation (the Markdown command reference and the tables of
// docs/contracts/) into the docs directory. The release assets
// (scripts/release-assets.sh) are made with it too. It needs no
// configuration and sends nothing over the network.
//
//	go run ./cmd/tokenctl-man -dir man/
//	go run ./cmd/tokenctl-man -docs docs/
//
// The date in the pages is SOURCE_DATE_EPOCH when set (for reproducible
// builds), else today; the version in their headers is the one linked in,
// as for tokenctl (-ldflags -X .../internal/version.Version=...).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/manpages"
)

func main() {
	if err := run(os.Args[1:], os.LookupEnv, time.Now(), os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tokenctl-man:", err)
		os.Exit(int(exitcode.Of(err)))
	}
}

func run(args []string, lookupEnv func(string) (string, bool), now time.Time, stderr io.Writer) error {
	fs := flag.NewFlagSet("tokenctl-man", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "write the man pages into `DIR`")
	docs := fs.String("docs", "", "write the command reference and the contracts' tables into the docs directory `DIR`")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	if (*dir == "" && *docs == "") || fs.NArg() != 0 {
		return exitcode.New(exitcode.Usage, errors.New("usage: tokenctl-man [-dir DIR] [-docs DIR]"))
	}
	if *docs != "" {
		if err := manpages.WriteDocs(*docs); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Wrote the command reference and the contracts' tables in %s\n", *docs)
	}
	if *dir == "" {
		return nil
	}
	date, err := manpages.Date(lookupEnv, now)
	if err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	n, err := manpages.Write(*dir, date)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Wrote %d man pages to %s\n", n, *dir)
	return nil
}
