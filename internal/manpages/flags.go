package manpages

import (
	"strings"

	"github.com/spf13/pflag"
)

type pflagFlag = pflag.Flag

// unquoteUsage is the flag's value name (from `backquotes` in its usage, or
// its type; none for a boolean) and its usage without the quotes.
func unquoteUsage(f *pflag.Flag) (name, usage string) {
	name, usage = pflag.UnquoteUsage(f)
	if f.Value.Type() == "bool" {
		name = ""
	}
	return name, usage
}

// flagDefault is the default worth stating: none for a zero value.
func flagDefault(f *pflag.Flag) string {
	switch f.DefValue {
	case "", "false", "0", "[]", "0s":
		return ""
	}
	if f.Value.Type() == "string" {
		return `"` + f.DefValue + `"`
	}
	return f.DefValue
}

// markdownEscaper makes text literal in Markdown (go-md2man's and GitHub's).
var markdownEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`)

// escapeMan makes plain text literal in a man page's Markdown.
func escapeMan(s string) string { return markdownEscaper.Replace(s) }
