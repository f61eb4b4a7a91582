package manpages

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

func TestWriteWritesAPagePerVisibleCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man")
	n, err := Write(dir, time.Unix(0, 0).UTC())
	if err != nil {
		t.Fatal(err)
	}
	var pages []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		pages = append(pages, e.Name())
	}
	if n != len(pages) {
		t.Errorf("Write says it wrote %d pages, the directory holds %d", n, len(pages))
	}
	for _, want := range []string{"tokenctl.1", "tokenctl-revoke.1", "tokenctl-whoami.1", "tokenctl-policy.1", "tokenctl-policy-show.1",
		"tokenctl-completion.1", "tokenctl-completion-bash.1", "tokenctl-config-set.1", "tokenctl-version.1"} {
		if !slices.Contains(pages, want) {
			t.Errorf("no %s among %v", want, pages)
		}
	}
	for _, p := range pages {
		if strings.HasPrefix(p, "tokenctl-help") || strings.HasPrefix(p, "tokenctl-__") {
			t.Errorf("hidden command documented: %s", p)
		}
	}

	page, err := os.ReadFile(filepath.Join(dir, "tokenctl-revoke.1"))
	if err != nil {
		t.Fatal(err)
	}
	// A fixed date makes the pages reproducible; no generation stamp.
	for _, want := range []string{".TH", "Jan 1970", "tokenctl manual", "--allow-self", "cannot be undone"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("revoke man page has no %q", want)
		}
	}
	if strings.Contains(string(page), "Auto generated") {
		t.Error("man page carries cobra's generation stamp")
	}
}

func TestWriteRefusesAFileAsDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Write(filepath.Join(file, "man"), time.Now())
	if err == nil || !strings.Contains(err.Error(), "cannot create the man page directory") {
		t.Fatalf("err = %v, want one about the directory", err)
	}
}

func TestDate(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("X", 3600))
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) { return v, k == "SOURCE_DATE_EPOCH" && v != "" }
	}
	if got, err := Date(env("86400"), now); err != nil || !got.Equal(time.Unix(86400, 0)) {
		t.Errorf("SOURCE_DATE_EPOCH=86400: %v, %v", got, err)
	}
	if got, err := Date(env(""), now); err != nil || !got.Equal(now) || got.Location() != time.UTC {
		t.Errorf("no SOURCE_DATE_EPOCH: %v, %v, want now in UTC", got, err)
	}
	if _, err := Date(env("yesterday"), now); err == nil || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") {
		t.Errorf("SOURCE_DATE_EPOCH=yesterday: err = %v", err)
	}
}

// docsDir is the repository's docs/, from this package's directory.
const docsDir = "../../docs"

// The checked-in reference and the contracts' generated tables are what the
// generator writes now. When this fails after a change to a command's help,
// an exit code, a setting or an environment variable: run `make docs`.
func TestGeneratedDocsAreUpToDate(t *testing.T) {
	stale, err := Stale(docsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range stale {
		t.Errorf("docs/%s is out of date: run `make docs` and commit the result", filepath.ToSlash(path))
	}
}

// copyDocs copies what the generator reads and writes under docs/ into a
// temporary directory.
func copyDocs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"contracts", "reference"} {
		if err := os.CopyFS(filepath.Join(dir, sub), os.DirFS(filepath.Join(docsDir, sub))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestStaleFindsEveryDrift(t *testing.T) {
	dir := copyDocs(t)
	if stale, err := Stale(dir); err != nil || len(stale) != 0 {
		t.Fatalf("a fresh copy: stale %v, %v", stale, err)
	}
	edit := func(path, old, new string) {
		t.Helper()
		text, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(text), old) {
			t.Fatalf("%s has no %q", path, old)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(strings.Replace(string(text), old, new, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	edit(filepath.Join("reference", "tokenctl-revoke.md"), "--allow-self", "--allow-myself")
	edit(filepath.Join("contracts", "exit-codes.md"), "| 7 | throttled", "| 7 | slowed down")
	edit(filepath.Join("contracts", "configuration.md"), "| `TOKENCTL_TIMEOUT` |", "| `TOKENCTL_TIMEOUT_SECONDS` |")
	if err := os.Remove(filepath.Join(dir, "reference", "tokenctl-whoami.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "reference", "tokenctl-gone.md"), []byte("# gone\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stale, err := Stale(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join("contracts", "configuration.md"),
		filepath.Join("contracts", "exit-codes.md"),
		filepath.Join("reference", "tokenctl-gone.md"),
		filepath.Join("reference", "tokenctl-revoke.md"),
		filepath.Join("reference", "tokenctl-whoami.md"),
	}
	if !slices.Equal(stale, want) {
		t.Errorf("stale = %q, want %q", stale, want)
	}

	// WriteDocs puts everything right, and removes the gone command's page.
	if err := WriteDocs(dir); err != nil {
		t.Fatal(err)
	}
	if stale, err := Stale(dir); err != nil || len(stale) != 0 {
		t.Errorf("after WriteDocs: stale %v, %v", stale, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "reference", "tokenctl-gone.md")); !os.IsNotExist(err) {
		t.Errorf("the page of a command that is gone was kept: %v", err)
	}
}

func TestWriteDocsRefusesAMissingTable(t *testing.T) {
	dir := copyDocs(t)
	path := filepath.Join(dir, "contracts", "configuration.md")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin := strings.Index(string(text), "<!-- BEGIN GENERATED files")
	end := strings.Index(string(text), "<!-- END GENERATED files -->")
	if begin < 0 || end < 0 {
		t.Fatal("configuration.md has no generated files table")
	}
	cut := string(text[:begin]) + string(text[end+len("<!-- END GENERATED files -->"):])
	if err := os.WriteFile(path, []byte(cut), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteDocs(dir); err == nil || !strings.Contains(err.Error(), "generated table files") {
		t.Errorf("err = %v, want one naming the missing table", err)
	}
}

// tableRows returns the cells of a generated Markdown table's rows, by the
// first cell, from a document under docs/contracts/.
func tableRows(t *testing.T, file, name string) map[string][]string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(docsDir, "contracts", file))
	if err != nil {
		t.Fatal(err)
	}
	_, region, ok := strings.Cut(string(text), "<!-- BEGIN GENERATED "+name+":")
	region, _, ok2 := strings.Cut(region, "<!-- END GENERATED "+name+" -->")
	if !ok || !ok2 {
		t.Fatalf("docs/contracts/%s has no generated table %s", file, name)
	}
	rows := map[string][]string{}
	header := true
	for _, line := range strings.Split(region, "\n")[1:] {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| ---") {
			continue
		}
		if header {
			header = false
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "| "), " | ") {
			cells = append(cells, strings.ReplaceAll(c, `\|`, "|"))
		}
		rows[cells[0]] = cells[1:]
	}
	return rows
}

// The documentation's exit-code and environment tables and the man pages'
// EXIT STATUS and ENVIRONMENT sections say the same, entry for entry.
func TestManPagesAgreeWithTheDocs(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, time.Unix(0, 0).UTC()); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		t.Helper()
		page, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(page)
	}
	// The roff text of a documented sentence: code spans in bold, and
	// backslashes escaped.
	roff := func(s string) string {
		parts := strings.Split(s, "`")
		for i := range parts {
			parts[i] = strings.ReplaceAll(parts[i], `\`, `\\`)
			if i%2 == 1 {
				parts[i] = `\fB` + parts[i] + `\fR`
			}
		}
		return strings.Join(parts, "")
	}
	section := func(page, name string) string {
		_, s, ok := strings.Cut(page, ".SH "+name+"\n")
		if !ok {
			t.Fatalf("no %s section", name)
		}
		s, _, _ = strings.Cut(s, ".SH ")
		return s
	}

	codes := tableRows(t, "exit-codes.md", "exit-codes")
	if len(codes) != len(exitcode.Documented) {
		t.Errorf("docs/contracts/exit-codes.md lists %d exit codes, exitcode.Documented %d", len(codes), len(exitcode.Documented))
	}
	for _, page := range []string{"tokenctl.1", "tokenctl-revoke.1", "tokenctl-policy-show.1"} {
		status := section(read(page), "EXIT STATUS")
		for _, m := range exitcode.Documented {
			code := strconv.Itoa(int(m.Code))
			if doc := codes[code]; len(doc) != 1 || doc[0] != m.Text {
				t.Errorf("docs/contracts/exit-codes.md says exit %s is %q, exitcode.Documented %q", code, doc, m.Text)
			}
			if want := `\fB` + code + `\fP` + "\n" + roff(m.Text); !strings.Contains(status, want) {
				t.Errorf("%s: EXIT STATUS has no %q", page, want)
			}
		}
	}

	env := tableRows(t, "configuration.md", "environment")
	root := section(read("tokenctl.1"), "ENVIRONMENT")
	if len(env) != len(config.Environment()) {
		t.Errorf("docs/contracts/configuration.md lists %d environment variables, config.Environment %d", len(env), len(config.Environment()))
	}
	for _, e := range config.Environment() {
		if doc := env["`"+e.Name+"`"]; len(doc) != 1 || doc[0] != e.Text {
			t.Errorf("docs/contracts/configuration.md says %s is %q, config.Environment %q", e.Name, doc, e.Text)
		}
		if want := `\fB` + e.Name + `\fP` + "\n" + roff(e.Text); !strings.Contains(root, want) {
			t.Errorf("tokenctl.1: ENVIRONMENT has no %q", want)
		}
	}
	files := section(read("tokenctl.1"), "FILES")
	for _, f := range config.Files() {
		if !strings.Contains(files, roff(f.Path)) {
			t.Errorf("tokenctl.1: FILES has no %q", roff(f.Path))
		}
	}
	if s := section(read("tokenctl-revoke.1"), "ENVIRONMENT"); !strings.Contains(s, `\fBtokenctl\fP(1)`) {
		t.Errorf("tokenctl-revoke.1: ENVIRONMENT does not point at tokenctl(1):\n%s", s)
	}
}
