package docscheck

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// root is the repository's root, from this package's directory.
const root = "../.."

// goPackages returns every directory under cmd/ and internal/ that holds a
// Go file, as a slash path from the root ("internal/cli").
func goPackages(t *testing.T) []string {
	t.Helper()
	var pkgs []string
	for _, top := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(d.Name(), ".go") {
				return nil
			}
			rel, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				return err
			}
			if rel = filepath.ToSlash(rel); !slices.Contains(pkgs, rel) {
				pkgs = append(pkgs, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(pkgs)
	return pkgs
}

// section returns the lines of the Markdown file's section under heading,
// up to the next heading of the same or a higher level.
func section(t *testing.T, file, heading string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	level := strings.Index(heading, " ")
	var lines []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if in && strings.HasPrefix(line, "#") {
			if l := strings.Index(line, " "); l > 0 && l <= level && strings.Trim(line[:l], "#") == "" {
				break
			}
		}
		if line == heading {
			in = true
			continue
		}
		if in {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !in {
		t.Fatalf("%s has no %q section", file, heading)
	}
	return lines
}

var packageRow = regexp.MustCompile("^\\| `([^`]+)` \\| (.*) \\|$")

func TestPackageMapNamesEveryPackage(t *testing.T) {
	var mapped []string
	for _, line := range section(t, "CONTRIBUTING.md", "## The packages") {
		m := packageRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if strings.TrimSpace(m[2]) == "" {
			t.Errorf("CONTRIBUTING.md: the package map's line for %s says nothing", m[1])
		}
		if slices.Contains(mapped, m[1]) {
			t.Errorf("CONTRIBUTING.md: the package map names %s twice", m[1])
		}
		mapped = append(mapped, m[1])
	}
	pkgs := goPackages(t)
	for _, p := range pkgs {
		if !slices.Contains(mapped, p) {
			t.Errorf("CONTRIBUTING.md: the package map (\"The packages\") has no line for %s: add one saying what it is", p)
		}
	}
	for _, p := range mapped {
		if !slices.Contains(pkgs, p) {
			t.Errorf("CONTRIBUTING.md: the package map names %s, which is not a package: remove or rename its line", p)
		}
	}
}

var (
	phonyLine  = regexp.MustCompile(`(?m)^\.PHONY:((?:[^\n\\]|\\\n)*)`)
	targetLine = regexp.MustCompile(`^make ([a-z-]+)\s+#`)
)

func TestMakeTargetsAreDocumented(t *testing.T) {
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	var phony []string
	for _, m := range phonyLine.FindAllStringSubmatch(string(makefile), -1) {
		for _, name := range strings.Fields(strings.ReplaceAll(m[1], "\\\n", " ")) {
			// tool-NAME builds one pinned tool; `make tools` is documented.
			if !strings.HasPrefix(name, "tool-") {
				phony = append(phony, name)
			}
		}
	}
	if len(phony) == 0 {
		t.Fatal("found no .PHONY targets in the Makefile")
	}
	var documented []string
	for _, line := range section(t, "CONTRIBUTING.md", "## Make targets") {
		if m := targetLine.FindStringSubmatch(line); m != nil {
			documented = append(documented, m[1])
		}
	}
	for _, name := range phony {
		if !slices.Contains(documented, name) {
			t.Errorf("CONTRIBUTING.md: \"Make targets\" does not list `make %s`: add a line saying what it does", name)
		}
	}
	for _, name := range documented {
		if !slices.Contains(phony, name) {
			t.Errorf("CONTRIBUTING.md lists `make %s`, which the Makefile has no .PHONY target for", name)
		}
	}
}

// markdownFiles are the documents whose links are checked: the README,
// CONTRIBUTING.md and everything under docs/.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md", "CONTRIBUTING.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

var (
	link       = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	heading    = regexp.MustCompile(`^#+ (.*)$`)
	notInSlugs = regexp.MustCompile(`[^\p{L}\p{N}_\- ]`)
)

// anchors returns the fragment each heading of a Markdown file gets, as
// GitHub spells them: lower case, punctuation dropped, spaces as dashes.
func anchors(text string) map[string]bool {
	out := map[string]bool{}
	fence := false
	for line := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if m := heading.FindStringSubmatch(line); m != nil && !fence {
			a := notInSlugs.ReplaceAllString(strings.ToLower(strings.TrimSpace(m[1])), "")
			a = strings.ReplaceAll(a, " ", "-")
			unique := a
			for n := 1; out[unique]; n++ {
				unique = a + "-" + strconv.Itoa(n)
			}
			out[unique] = true
		}
	}
	return out
}

func TestLinksBetweenDocumentsResolve(t *testing.T) {
	for _, file := range markdownFiles(t) {
		text, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(text), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, frag, _ := strings.Cut(target, "#")
			dest := file
			if path != "" {
				dest = filepath.ToSlash(filepath.Join(filepath.Dir(file), path))
			}
			destText, err := os.ReadFile(filepath.Join(root, dest))
			if err != nil {
				if _, statErr := os.Stat(filepath.Join(root, dest)); statErr == nil {
					continue // a directory
				}
				t.Errorf("%s: link %s: no such file %s", file, target, dest)
				continue
			}
			if frag != "" && !anchors(string(destText))[frag] {
				t.Errorf("%s: link %s: %s has no heading #%s", file, target, dest, frag)
			}
		}
	}
}
