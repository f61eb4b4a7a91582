package cmdutil

import (
	"errors"

	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/output"
)

// FailureDocumenter is a command whose machine output is one document. A
// run that fails before it has results (an unknown organization, an
// outage, a rejected token, a bad flag) still prints that document, empty
// and with an "error" field, so that a script run with -o json always has
// something to parse.
type FailureDocumenter interface {
	// FailureDocument is the command's document with no results: every
	// contract field present, what is unknown null, lists empty.
	FailureDocument() any
}

// printFailureDocument prints opts' failure document for err when the
// output is a document (JSON, YAML or --jq), and returns err. Nothing is
// printed when the command already reported (its document, or an --jq
// failure with the unfiltered document), or when the output format or
// the --jq expression is itself what was wrong.
func printFailureDocument(o *APIOptions, opts any, err error) error {
	var silent *SilentError
	var jq *output.JQError
	doc, documented := opts.(FailureDocumenter)
	if err == nil || !documented || o.Settings == nil || o.formatErr != nil || errors.As(err, &silent) || errors.As(err, &jq) {
		return err
	}
	format := o.Format
	if format == "" {
		f, parseErr := output.ParseFormat(o.Settings.Output)
		if parseErr != nil {
			return err
		}
		format = f
	}
	if output.CheckJQ(o.JQ) != nil {
		return err
	}
	printer := output.Printer{Out: o.IO.Out, Format: format, JQ: o.JQ}
	failure := output.Failure{Message: ErrorMessage(err), ExitCode: int(exitcode.Of(err))}
	if printErr := printer.PrintFailure(doc.FailureDocument(), failure); printErr != nil {
		return errors.Join(err, printErr)
	}
	return err
}
