package examplescheck

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/testfiles"
)

// unknownToken is a credential the emulator does not know: a check with it
// cannot run (exit 3).
const (
	unknownToken = "bkua_unknown0000000000000000000000000000000" // fake, not a secret
	adminToken   = et.DemoToken
)

// env is the environment of one CI job: the stand-ins first on PATH, then
// the system's tools, and tokenctl nowhere until the example installs it.
type env struct {
	t       *testing.T
	root    string // the repository
	work    string // the job's checkout
	record  string // what the stand-ins recorded
	path    string
	srv     *et.Server
	release string // the release's files, as the download URL serves them
	binary  string // tokenctl built from this tree
	vars    map[string]string
}

// newEnv prepares a job: a checkout holding policy at each place the
// examples read it, an emulator serving the demo organizations, and a
// release of version built from this tree.
func newEnv(t *testing.T, version, policy string) *env {
	t.Helper()
	root := testfiles.RepoRoot(t)
	e := &env{t: t, root: root, work: t.TempDir(), record: t.TempDir(), release: t.TempDir(),
		srv: et.Start(t, emulator.Options{Fixture: emulator.DemoFixture()})}
	e.binary = buildTokenctl(t, root)
	for _, dir := range []string{".buildkite", ".github"} {
		writeFile(t, filepath.Join(e.work, dir, "token-policy.yaml"), policy)
	}
	standins := filepath.Join(root, "internal", "examplescheck", "testdata")
	e.path = standins + ":/usr/local/bin:/usr/bin:/bin"
	for _, tool := range []string{"bash", "awk", "sha256sum", "tar", "find", "env"} {
		if _, err := lookPath(tool, e.path); err != nil {
			msg := fmt.Sprintf("the examples need %s, as a CI runner has it; it is not in %s", tool, e.path)
			if os.Getenv("CI") != "" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	if p, err := lookPath("tokenctl", e.path); err == nil {
		t.Skipf("tokenctl is installed at %s: the examples' install could not be told from it", p)
	}
	network := filepath.Join(t.TempDir(), "network.env")
	writeFile(t, network, "BUILDKITE_GRAPHQL_ENDPOINT="+e.srv.GraphQLEndpoint+"\nBUILDKITE_REST_API_ENDPOINT="+e.srv.RESTEndpoint+"\n")
	home := t.TempDir()
	e.vars = map[string]string{
		"PATH":                        e.path,
		"HOME":                        home,
		"XDG_CONFIG_HOME":             filepath.Join(home, ".config"),
		"CI":                          "true",
		"LANG":                        "C.UTF-8",
		"BUILDKITE_GRAPHQL_ENDPOINT":  e.srv.GraphQLEndpoint,
		"BUILDKITE_REST_API_ENDPOINT": e.srv.RESTEndpoint,
		"STANDIN_RECORD":              e.record,
		"STANDIN_RELEASE_DIR":         e.release,
		"STANDIN_VERSION":             version,
		"STANDIN_TOKENCTL":            e.binary,
		"STANDIN_CONTAINER_ENV":       network,
	}
	published := publishedRelease(t, e.binary, version)
	for _, name := range []string{archiveName(version), checksumsName(version)} {
		if err := os.Symlink(filepath.Join(published, name), filepath.Join(e.release, name)); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// run runs script with bash (shell flags as the CI system gives them) in
// the checkout, with the job's variables and extra ones; it returns the
// exit status and the combined output.
func (e *env) run(script string, shellFlags []string, extra map[string]string) (int, string) {
	e.t.Helper()
	vars := map[string]string{}
	for k, v := range e.vars {
		vars[k] = v
	}
	for k, v := range extra {
		vars[k] = v
	}
	environ := make([]string, 0, len(vars))
	for k, v := range vars {
		environ = append(environ, k+"="+v)
	}
	sort.Strings(environ)
	args := append(append([]string{}, shellFlags...), script)
	cmd := exec.Command("bash", args...)
	cmd.Dir = e.work
	cmd.Env = environ
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	e.t.Fatalf("running bash: %v\n%s", err, out)
	return 0, ""
}

// annotation is one `buildkite-agent annotate` call.
type annotation struct {
	args []string
	body string
}

func (e *env) annotations() []annotation {
	e.t.Helper()
	var out []annotation
	for i := 0; ; i++ {
		args, err := os.ReadFile(filepath.Join(e.record, fmt.Sprintf("annotate.%d.args", i)))
		if os.IsNotExist(err) {
			return out
		}
		if err != nil {
			e.t.Fatal(err)
		}
		body, err := os.ReadFile(filepath.Join(e.record, fmt.Sprintf("annotate.%d.body", i)))
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, annotation{args: strings.Fields(string(args)), body: string(body)})
	}
}

// rendered is what `tokenctl check --from-report FILE -o markdown` prints
// for the report the job saved: what the annotation and summary must be.
func (e *env) rendered(report string) string {
	e.t.Helper()
	cmd := exec.Command(e.binary, "check", "--from-report", filepath.Join(e.work, report), "-o", "markdown")
	cmd.Env = []string{"HOME=" + e.vars["HOME"]}
	out, _ := cmd.Output()
	if !strings.HasPrefix(string(out), "### tokenctl check") {
		e.t.Fatalf("rendering %s: %q", report, out)
	}
	return string(out)
}

// tamper replaces the release's archive with other bytes, leaving its
// checksums file as published.
func (e *env) tamper(version string) {
	e.t.Helper()
	archive := filepath.Join(e.release, archiveName(version))
	if err := os.Remove(archive); err != nil {
		e.t.Fatal(err)
	}
	writeFile(e.t, archive, "not the archive that was published")
}

func archiveName(version string) string   { return "tokenctl_" + version + "_linux_amd64.tar.gz" }
func checksumsName(version string) string { return "tokenctl_" + version + "_checksums.txt" }

// publishedRelease is the directory holding version's release files,
// published once per test binary.
func publishedRelease(t *testing.T, binary, version string) string {
	t.Helper()
	publishMu.Lock()
	defer publishMu.Unlock()
	dir := filepath.Join(builtDir, "release-"+version)
	if _, err := os.Stat(dir); err == nil {
		return dir
	}
	publishRelease(t, binary, version, dir)
	return dir
}

// buildTokenctl builds tokenctl from this tree, as a release would, once
// per test binary.
func buildTokenctl(t *testing.T, root string) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "examplescheck")
		if err != nil {
			buildErr = err
			return
		}
		builtDir = dir
		cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "tokenctl"), "./cmd/tokenctl")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(builtDir, "tokenctl")
}

// publishRelease lays out version's linux/amd64 release as it is
// published: the archive, which unpacks into one folder, and the checksums
// file, which lists it among the other platforms' archives.
func publishRelease(t *testing.T, binary, version, dir string) {
	t.Helper()
	bin, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	// Stored, not compressed: still a gzip stream tar must unpack, and
	// compressing the binary cost the package most of its time.
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(gz)
	folder := "tokenctl_" + version + "/"
	for _, f := range []struct {
		name string
		mode int64
		body []byte
	}{
		{folder + "LICENSE", 0o644, []byte("MIT\n")},
		{folder + "tokenctl", 0o755, bin},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, archiveName(version)), buf.String())
	sum := sha256.Sum256(buf.Bytes())
	other := sha256.Sum256([]byte("darwin"))
	writeFile(t, filepath.Join(dir, checksumsName(version)),
		fmt.Sprintf("%x  %s\n%x  tokenctl_%s_darwin_arm64.tar.gz\n", sum, archiveName(version), other, version))
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func lookPath(name, path string) (string, error) {
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", os.ErrNotExist
}
