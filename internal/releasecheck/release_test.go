package releasecheck

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/manpages"
)

// The platforms and package formats a full release carries, as docs/install.md
// lists them. TOKENCTL_RELEASE_TARGETS=linux_amd64 (a quick
// snapshot, as CI builds) means linux/amd64 alone.
var (
	releasePlatforms = []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64", "windows_amd64", "windows_arm64"}
	packageFormats   = []string{"apk", "deb", "rpm"}
)

// completionFiles are the completion scripts an archive carries, by shell.
var completionFiles = map[string]string{
	"bash": "completions/tokenctl.bash",
	"zsh":  "completions/_tokenctl",
	"fish": "completions/tokenctl.fish",
}

// debCompletionFiles are where the .deb installs them: where Debian's
// bash-completion, zsh and fish look.
var debCompletionFiles = map[string]string{
	"bash": "usr/share/bash-completion/completions/tokenctl",
	"zsh":  "usr/share/zsh/vendor-completions/_tokenctl",
	"fish": "usr/share/fish/vendor_completions.d/tokenctl.fish",
}

func TestReleaseArchiveLinuxAmd64(t *testing.T) {
	r := loadRelease(t)
	archive := r.find(t, "Archive", "linux_amd64", "")
	unpacked := t.TempDir()
	extractTar(t, gunzip(t, readFile(t, archive)), unpacked)
	// It unpacks into one folder, tokenctl_VERSION.
	folder := "tokenctl_" + r.Version
	if got := fileNames(t, unpacked, "*"); !slices.Equal(got, []string{folder}) {
		t.Fatalf("%s unpacks into %q, want one folder %s", archive, got, folder)
	}
	root := filepath.Join(unpacked, folder)
	for _, doc := range []string{"README.md", "LICENSE"} {
		requireNonEmptyFile(t, filepath.Join(root, doc))
	}
	completions := map[string]string{}
	for shell, name := range completionFiles {
		completions[shell] = filepath.Join(root, name)
	}
	checkInstallation(t, r, installation{
		binary:      filepath.Join(root, "tokenctl"),
		manDir:      filepath.Join(root, "manpages"),
		completions: completions,
	})
}

func TestReleaseDebLinuxAmd64(t *testing.T) {
	r := loadRelease(t)
	deb := r.find(t, "Linux Package", "linux_amd64", "deb")

	root := t.TempDir()
	control := extractDeb(t, deb, root)
	for _, field := range []string{"Package: tokenctl", "Architecture: amd64"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(field) + `$`).MatchString(control) {
			t.Errorf("the .deb's control file has no line %q:\n%s", field, control)
		}
	}
	requireNonEmptyFile(t, filepath.Join(root, "usr/share/doc/tokenctl/copyright"))
	completions := map[string]string{}
	for shell, name := range debCompletionFiles {
		completions[shell] = filepath.Join(root, name)
	}
	checkInstallation(t, r, installation{
		binary:      filepath.Join(root, "usr/bin/tokenctl"),
		manDir:      filepath.Join(root, "usr/share/man/man1"),
		completions: completions,
	})
}

// TestReleaseHomebrewCask checks that the cask installs files the archive
// has, and names the archive by its real checksum.
func TestReleaseHomebrewCask(t *testing.T) {
	r := loadRelease(t)
	cask := string(readFile(t, r.find(t, "Homebrew Cask", "", "")))
	archive := r.find(t, "Archive", "linux_amd64", "")
	if sum := sha256Hex(t, archive); !strings.Contains(cask, `sha256 "`+sum+`"`) {
		t.Errorf("the cask does not give the linux/amd64 archive's sha256 %s:\n%s", sum, cask)
	}

	inArchive := map[string]bool{}
	tr := tar.NewReader(bytes.NewReader(gunzip(t, readFile(t, archive))))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading %s: %v", archive, err)
		}
		inArchive[path.Clean(hdr.Name)] = true
	}

	// The archive unpacks into a folder, which the cask's renames move
	// the installed files out of.
	renames := regexp.MustCompile(`(?m)^\s*rename "([^"]+)", "([^"]+)"`).FindAllStringSubmatch(cask, -1)
	unpacked := func(name string) string {
		for _, r := range renames {
			rest, ok := strings.CutPrefix(name, r[2])
			if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
				continue
			}
			for entry := range inArchive {
				if ok, _ := path.Match(r[1]+rest, entry); ok {
					_, inFolder, _ := strings.Cut(entry, "/")
					return inFolder
				}
			}
		}
		return ""
	}
	stanza := regexp.MustCompile(`(?m)^\s*(binary|manpage|bash_completion|zsh_completion|fish_completion) "([^"]+)"`)
	installs := map[string][]string{}
	for _, m := range stanza.FindAllStringSubmatch(cask, -1) {
		name := unpacked(m[2])
		installs[m[1]] = append(installs[m[1]], name)
		if name == "" {
			t.Errorf("the cask installs %s %q, which the archive does not have (its renames: %q)", m[1], m[2], renames)
		}
	}
	for _, kind := range []string{"binary", "bash_completion", "zsh_completion", "fish_completion"} {
		if len(installs[kind]) != 1 {
			t.Errorf("the cask has %d %s stanzas, want 1:\n%s", len(installs[kind]), kind, cask)
		}
	}
	var pages []string
	for entry := range inArchive {
		if _, name, _ := strings.Cut(entry, "/"); strings.HasPrefix(name, "manpages/") {
			pages = append(pages, name)
		}
	}
	slices.Sort(pages)
	slices.Sort(installs["manpage"])
	if len(pages) == 0 || !slices.Equal(installs["manpage"], pages) {
		t.Errorf("the cask installs man pages %q, want every page in the archive: %q", installs["manpage"], pages)
	}
}

// TestReleaseReproducible checks that a second build of the same commit
// (TOKENCTL_RELEASE_DIST_AGAIN, which `make release-check` builds first)
// is byte for byte the same release: the same checksums file, hence the
// same archives and packages, and the same binary.
func TestReleaseReproducible(t *testing.T) {
	r := loadRelease(t)
	again := os.Getenv("TOKENCTL_RELEASE_DIST_AGAIN")
	if again == "" {
		t.Skip("TOKENCTL_RELEASE_DIST_AGAIN is not set: `make release-check` builds the release twice and compares")
	}
	sums := r.find(t, "Checksum", "", "")
	first, second := readFile(t, sums), readFile(t, filepath.Join(again, filepath.Base(sums)))
	if !bytes.Equal(first, second) {
		t.Errorf("two builds of one commit differ:\n--- %s\n%s--- %s\n%s", r.dir, first, again, second)
	}
	for _, a := range r.Artifacts {
		if a.Type != "Binary" || a.platform() != "linux_amd64" {
			continue
		}
		// The path goreleaser records starts with its dist directory.
		_, rel, _ := strings.Cut(filepath.ToSlash(a.Path), "/")
		if !bytes.Equal(readFile(t, filepath.Join(r.dir, rel)), readFile(t, filepath.Join(again, rel))) {
			t.Errorf("the two builds' %s differ", rel)
		}
	}
}

// TestReleaseTimes checks that nothing in the release carries the time of
// the build: every entry of the linux/amd64 archive is dated at the
// commit, and the binary says it was built from a commit of that date.
func TestReleaseTimes(t *testing.T) {
	r := loadRelease(t)
	out, err := exec.CommandContext(t.Context(), "git", "log", "-1", "--format=%ct").Output()
	if err != nil {
		t.Fatalf("git log: %v", err)
	}
	epoch, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	commit := time.Unix(epoch, 0).UTC()
	archive := r.find(t, "Archive", "linux_amd64", "")
	tr := tar.NewReader(bytes.NewReader(gunzip(t, readFile(t, archive))))
	var binary string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !hdr.ModTime.Equal(commit) {
			t.Errorf("%s: %s is dated %s, want the commit's time %s", archive, hdr.Name, hdr.ModTime.UTC().Format(time.RFC3339), commit.Format(time.RFC3339))
		}
		if path.Base(hdr.Name) == "tokenctl" {
			binary = filepath.Join(t.TempDir(), "tokenctl")
			content, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(binary, content, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	if binary == "" {
		t.Fatalf("%s has no tokenctl", archive)
	}
	if v := runTokenctl(t, binary, "version"); !strings.Contains(v, "built "+commit.Format(time.RFC3339)) {
		t.Errorf("`tokenctl version` printed %q, want the commit's date %s", v, commit.Format(time.RFC3339))
	}
}

// TestReleaseChecksums checks that the checksums file lists every file the
// release publishes, each with its true sha256, and nothing else.
func TestReleaseChecksums(t *testing.T) {
	r := loadRelease(t)
	sumsFile := r.find(t, "Checksum", "", "")
	listed := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, sumsFile)))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != sha256.Size*2 || name == "" {
			t.Fatalf("%s: malformed line %q, want `<sha256>  <file name>`", sumsFile, sc.Text())
		}
		if _, dup := listed[name]; dup {
			t.Errorf("%s lists %s twice", sumsFile, name)
		}
		listed[name] = sum
	}
	for name, sum := range listed {
		file := filepath.Join(r.dir, name)
		if _, err := os.Stat(file); err != nil {
			t.Errorf("%s lists %s, which the release does not have: %v", sumsFile, name, err)
			continue
		}
		if got := sha256Hex(t, file); got != sum {
			t.Errorf("%s gives %s the sha256 %s, but it is %s", sumsFile, name, sum, got)
		}
	}

	// What a release uploads is everything at the top of dist/ but
	// goreleaser's own records and the checksums file itself.
	records := map[string]bool{"artifacts.json": true, "metadata.json": true, "config.yaml": true, filepath.Base(sumsFile): true}
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	published := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || records[e.Name()] {
			continue
		}
		published++
		if _, ok := listed[e.Name()]; !ok {
			t.Errorf("%s does not list %s", sumsFile, e.Name())
		}
	}
	for _, a := range r.Artifacts {
		if a.Type == "Archive" || a.Type == "Linux Package" {
			if _, ok := listed[a.Name]; !ok {
				t.Errorf("%s does not list the %s %s", sumsFile, a.Type, a.Name)
			}
		}
	}
	if published == 0 {
		t.Errorf("%s holds no archives or packages", r.dir)
	}
}

// TestReleaseTargets checks the release has an archive for every platform and
// a package of every format for every Linux platform it was built for.
func TestReleaseTargets(t *testing.T) {
	r := loadRelease(t)
	platforms := releasePlatforms
	switch targets := os.Getenv("TOKENCTL_RELEASE_TARGETS"); targets {
	case "", "all":
	case "linux_amd64":
		platforms = []string{"linux_amd64"}
	default:
		t.Fatalf("TOKENCTL_RELEASE_TARGETS=%q: want all or linux_amd64", targets)
	}

	var want, got []string
	for _, p := range platforms {
		want = append(want, "Archive "+p)
		if strings.HasPrefix(p, "linux_") {
			for _, f := range packageFormats {
				want = append(want, "Linux Package "+p+" "+f)
			}
		}
	}
	for _, a := range r.Artifacts {
		switch a.Type {
		case "Archive":
			got = append(got, "Archive "+a.platform())
		case "Linux Package":
			got = append(got, "Linux Package "+a.platform()+" "+a.Extra.Format)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the release has\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestReleaseFileNames checks the linux/amd64 files are named as
// docs/install.md says. Each package format spells a prerelease
// version (1.2.3-next) its own way.
func TestReleaseFileNames(t *testing.T) {
	r := loadRelease(t)
	v := r.Version
	for _, c := range []struct{ typ, format, want string }{
		{"Archive", "", "tokenctl_" + v + "_linux_amd64.tar.gz"},
		{"Linux Package", "deb", "tokenctl_" + strings.Replace(v, "-", "~", 1) + "_amd64.deb"},
		{"Linux Package", "rpm", "tokenctl-" + strings.Replace(v, "-", "~", 1) + "-1.x86_64.rpm"},
		{"Linux Package", "apk", "tokenctl_" + strings.Replace(v, "-", "_", 1) + "_x86_64.apk"},
	} {
		if got := filepath.Base(r.find(t, c.typ, "linux_amd64", c.format)); got != c.want {
			t.Errorf("the linux/amd64 %s %s is named %s, want %s", c.typ, c.format, got, c.want)
		}
	}
	if got, want := filepath.Base(r.find(t, "Checksum", "", "")), "tokenctl_"+v+"_checksums.txt"; got != want {
		t.Errorf("the checksums file is named %s, want %s", got, want)
	}
}

// installation is where an unpacked archive or package put tokenctl's files.
type installation struct {
	binary      string
	manDir      string
	completions map[string]string // by shell
}

// checkInstallation runs the unpacked tokenctl, and checks it carries a man
// page for every command of this tree (written by the man page generator,
// which links the same command tree) and the completion scripts it
// generates itself.
func checkInstallation(t *testing.T, r *release, inst installation) {
	t.Helper()
	t.Run("version", func(t *testing.T) {
		out := runTokenctl(t, inst.binary, "version")
		if !strings.Contains(out, r.Version) {
			t.Errorf("`tokenctl version` printed %q, want the release version %s", out, r.Version)
		}
	})
	t.Run("help", func(t *testing.T) {
		out := runTokenctl(t, inst.binary, "--help")
		for _, want := range []string{"Usage:", "revoke"} {
			if !strings.Contains(out, want) {
				t.Errorf("`tokenctl --help` printed no %q:\n%s", want, out)
			}
		}
	})
	t.Run("man pages", func(t *testing.T) {
		generated := t.TempDir()
		if _, err := manpages.Write(generated, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
		want := fileNames(t, generated, "*.1")
		for i := range want {
			want[i] += ".gz"
		}
		got := fileNames(t, inst.manDir, "*")
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Fatalf("man pages in %s: %q, want one per command: %q", inst.manDir, got, want)
		}
		for _, name := range got {
			page := string(gunzip(t, readFile(t, filepath.Join(inst.manDir, name))))
			title := `.TH "` + strings.ToUpper(strings.TrimSuffix(name, ".1.gz")) + `" "1"`
			if !strings.Contains(page, title) {
				t.Errorf("man page %s has no title line %s:\n%.300s", name, title, page)
			}
		}
	})
	t.Run("completions", func(t *testing.T) {
		for shell, file := range inst.completions {
			got := readFile(t, file)
			want := runTokenctl(t, inst.binary, "completion", shell)
			if len(got) == 0 || string(got) != want {
				t.Errorf("%s (%d bytes) is not what `tokenctl completion %s` prints (%d bytes)", file, len(got), shell, len(want))
			}
		}
	})
}

// runTokenctl runs the unpacked tokenctl as a user with no configuration and
// no API token would, and returns what it printed on stdout.
func runTokenctl(t *testing.T, binary string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "PATH=/usr/bin:/bin"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("tokenctl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// release is a goreleaser dist/ directory and what goreleaser recorded in it.
type release struct {
	dir       string
	Version   string
	Artifacts []artifact
}

// artifact is an entry of dist/artifacts.json.
type artifact struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Goos   string `json:"goos"`
	Goarch string `json:"goarch"`
	Type   string `json:"type"`
	Extra  struct {
		Format string `json:"Format"`
	} `json:"extra"`
}

func (a artifact) platform() string { return a.Goos + "_" + a.Goarch }

func loadRelease(t *testing.T) *release {
	t.Helper()
	dir := os.Getenv("TOKENCTL_RELEASE_DIST")
	if dir == "" {
		t.Skip("TOKENCTL_RELEASE_DIST is not set: `make release-check` builds a snapshot and runs these tests on it")
	}
	r := &release{dir: dir}
	var metadata struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "metadata.json")), &metadata); err != nil || metadata.Version == "" {
		t.Fatalf("%s/metadata.json gives no version (%v): is it a goreleaser dist directory?", dir, err)
	}
	r.Version = metadata.Version
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "artifacts.json")), &r.Artifacts); err != nil {
		t.Fatalf("%s/artifacts.json: %v", dir, err)
	}
	return r
}

// find returns the path of the one artifact of the type, for the platform
// ("" for none) in the format ("" for any).
func (r *release) find(t *testing.T, typ, platform, format string) string {
	t.Helper()
	var found []string
	for _, a := range r.Artifacts {
		if a.Type == typ && (platform == "" || a.platform() == platform) && (format == "" || a.Extra.Format == format) {
			found = append(found, a.Name)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s/artifacts.json has %d artifacts of type %q for %q in format %q, want 1: %q", r.dir, len(found), typ, platform, format, found)
	}
	file := filepath.Join(r.dir, found[0])
	if typ == "Homebrew Cask" {
		file = filepath.Join(r.dir, "homebrew", "Casks", found[0])
	}
	return file
}

// extractDeb unpacks a .deb's files under root, as dpkg would under /, and
// returns its control file. A .deb is an ar archive of debian-binary,
// control.tar.* and data.tar.*.
func extractDeb(t *testing.T, deb, root string) string {
	t.Helper()
	members := readAr(t, deb)
	if got := string(members["debian-binary"]); got != "2.0\n" {
		t.Fatalf("%s: debian-binary is %q, want %q", deb, got, "2.0\n")
	}
	data, ok := members["data.tar.gz"]
	if !ok {
		t.Fatalf("%s has no data.tar.gz (members: %q); keep nfpms deb.compression gzip, or teach this test the new one", deb, slices.Sorted(maps.Keys(members)))
	}
	extractTar(t, gunzip(t, data), root)

	controlTar, ok := members["control.tar.gz"]
	if !ok {
		t.Fatalf("%s has no control.tar.gz (members: %q)", deb, slices.Sorted(maps.Keys(members)))
	}
	tr := tar.NewReader(bytes.NewReader(gunzip(t, controlTar)))
	for {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatalf("%s: no control file in control.tar.gz: %v", deb, err)
		}
		if path.Clean(hdr.Name) == "control" {
			control, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return string(control)
		}
	}
}

// readAr reads the members of an ar archive (the common format, which is
// what dpkg writes and reads).
func readAr(t *testing.T, file string) map[string][]byte {
	t.Helper()
	b := readFile(t, file)
	const magic = "!<arch>\n"
	if !bytes.HasPrefix(b, []byte(magic)) {
		t.Fatalf("%s is not an ar archive", file)
	}
	b = b[len(magic):]
	members := map[string][]byte{}
	for len(b) > 0 {
		// name[16] mtime[12] uid[6] gid[6] mode[8] size[10] "`\n"
		if len(b) < 60 || string(b[58:60]) != "`\n" {
			t.Fatalf("%s: malformed ar member header", file)
		}
		name := strings.TrimSuffix(strings.TrimSpace(string(b[0:16])), "/")
		size, err := strconv.Atoi(strings.TrimSpace(string(b[48:58])))
		if err != nil || size < 0 || 60+size > len(b) {
			t.Fatalf("%s: member %q has a bad size %q", file, name, b[48:58])
		}
		members[name] = b[60 : 60+size]
		b = b[60+size:]
		if size%2 == 1 && len(b) > 0 { // members start on even offsets
			b = b[1:]
		}
	}
	return members
}

// extractTar unpacks a tar stream under root, refusing names that would
// leave it.
func extractTar(t *testing.T, tarball []byte, root string) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(tarball))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("reading tar: %v", err)
		}
		name := path.Clean("/" + hdr.Name)
		target := filepath.Join(root, filepath.FromSlash(name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				t.Fatal(err)
			}
			content, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(target, content, hdr.FileInfo().Mode().Perm()); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("tar entry %s has type %q; the release has only files and directories", hdr.Name, hdr.Typeflag)
		}
	}
}

// fileNames lists the names of the files in dir that match pattern, sorted.
func fileNames(t *testing.T, dir, pattern string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = filepath.Base(m)
	}
	slices.Sort(names)
	return names
}

func requireNonEmptyFile(t *testing.T, file string) {
	t.Helper()
	if len(readFile(t, file)) == 0 {
		t.Errorf("%s is empty", file)
	}
}

func readFile(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

func sha256Hex(t *testing.T, file string) string {
	t.Helper()
	sum := sha256.Sum256(readFile(t, file))
	return hex.EncodeToString(sum[:])
}

// TestMakefileDateIsTheCommits checks that `make build` stamps the binary
// with the commit's date, as release builds do, not the time of the build:
// two builds of one commit are then the same binary.
func TestMakefileDateIsTheCommits(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	out, err := exec.CommandContext(t.Context(), "git", "log", "-1", "--format=%ct").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	epoch, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	want := "version.Date=" + time.Unix(epoch, 0).UTC().Format(time.RFC3339)
	cmd := exec.CommandContext(t.Context(), "make", "-n", "-s", "build")
	cmd.Dir = "../.."
	dry, err := cmd.Output()
	if err != nil {
		t.Fatalf("make -n build: %v", err)
	}
	if !strings.Contains(string(dry), want) {
		t.Errorf("make build does not link %s:\n%s", want, dry)
	}
}
