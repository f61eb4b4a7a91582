package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// Which token tokenctl is using never changes for a given secret, so it is
// remembered in the user's cache directory: a repeat run that needs
// nothing looked up sends only its mutation. These tests read the
// emulator's request log.

// cacheHarness is a harness whose cache directory is its own, named by
// TOKENCTL_CACHE_DIR.
func cacheHarness(t *testing.T) (*harness, string) {
	h := newHarness(t, emulator.Options{})
	dir := filepath.Join(t.TempDir(), "cache")
	h.env["TOKENCTL_CACHE_DIR"] = dir
	return h, dir
}

// revokeByIDs revokes one token naming the organization and the token by
// id, and returns how many GraphQL and REST requests that run sent.
func revokeByIDs(t *testing.T, h *harness, tokenUUID string, extra ...string) (result, int, int) {
	t.Helper()
	h.srv.ResetRequests()
	args := append([]string{"revoke", "--org", emulator.NodeID("Organization", et.AcmeOrgUUID),
		"--token", emulator.NodeID("APIAccessToken", tokenUUID), "-o", "json"}, extra...)
	r := h.run(args...)
	return r, h.graphQLRequests(), restRequests(h)
}

// A repeat run by ids sends only its mutation when an earlier listing
// showed each named id for a token other than tokenctl's own (a dry run
// first, then the run): that is remembered with the identity. With --no-cache the run asks and lists as a first run does.
func TestPerfRepeatRevokeByIDsSendsOnlyTheMutation(t *testing.T) {
	h, _ := cacheHarness(t)
	r, _, rest := revokeByIDs(t, h, et.CIDeployBotUUID)
	mustRevokeAll(t, h, r, []string{et.CIDeployBotUUID})
	if rest != 1 {
		t.Fatalf("the first run sent %d REST requests, want 1 (nothing remembered yet)", rest)
	}

	r, asking, rest := revokeByIDs(t, h, et.OldLaptopTokenUUID, "--no-cache")
	mustRevokeAll(t, h, r, []string{et.OldLaptopTokenUUID})
	if rest != 1 || asking != 2 {
		t.Fatalf("--no-cache sent %d GraphQL and %d REST requests, want 2 (a listing page, the mutation) and 1", asking, rest)
	}
	// The dry run lists and shows the next token's id for another token;
	// the run after it relies on that and sends the mutation alone.
	if r, _, _ := revokeByIDs(t, h, et.TerraformTokenUUID, "--dry-run"); r.code != 0 {
		t.Fatalf("dry run:\n%s", r)
	}
	r, remembered, rest := revokeByIDs(t, h, et.TerraformTokenUUID)
	mustRevokeAll(t, h, r, []string{et.TerraformTokenUUID})
	if rest != 0 || remembered != 1 || h.requests("RevokeAPIAccessToken") != 1 {
		t.Errorf("the repeat run sent %d GraphQL (%d mutations) and %d REST requests, want the mutation alone",
			remembered, h.requests("RevokeAPIAccessToken"), rest)
	}
}

// A dry run still reads the listing, remembered or not: it must say which
// ids do not exist, before anything is sent.
func TestPerfRepeatDryRunByIDsStillLists(t *testing.T) {
	h, _ := cacheHarness(t)
	if r, _, _ := revokeByIDs(t, h, et.CIDeployBotUUID); r.code != 0 {
		t.Fatalf("first run:\n%s", r)
	}
	r, graphQL, rest := revokeByIDs(t, h, et.CIDeployBotUUID, "--dry-run")
	if rest != 0 || graphQL == 0 || h.requests("RevokeAPIAccessToken") != 0 {
		t.Errorf("the dry run sent %d GraphQL (%d mutations) and %d REST requests, want a listing, no mutation, no REST",
			graphQL, h.requests("RevokeAPIAccessToken"), rest)
	}
	if r.code != int(exitcode.NotFound) || decodeReport(t, r).Summary.NotFound != 1 {
		t.Errorf("a dry run naming a token revoked before:\n%s\nwant not-found, exit %d", r, exitcode.NotFound)
	}
}

// The remembered identity still refuses the caller's own token, named by
// the id the first run's listing showed it under: without a request.
func TestPerfRememberedIdentityStillRefusesSelf(t *testing.T) {
	h, _ := cacheHarness(t)
	if r, _, _ := revokeByIDs(t, h, et.CIDeployBotUUID); r.code != 0 {
		t.Fatalf("first run:\n%s", r)
	}
	r, graphQL, rest := revokeByIDs(t, h, et.DemoTokenUUID)
	if rest != 0 || graphQL != 0 {
		t.Fatalf("%d GraphQL and %d REST requests, want none (remembered)", graphQL, rest)
	}
	if r.code != int(exitcode.Refused) || h.srv.TokenRevoked(et.DemoTokenUUID) || h.srv.RevocationCount(et.DemoOrgSlug, et.DemoTokenUUID) != 0 {
		t.Fatalf("tokenctl's own token, remembered, was not refused:\n%s", r)
	}
	if s := decodeReport(t, r).Summary; s.Refused != 1 || s.Revoked != 0 {
		t.Errorf("summary %+v, want 1 refused", s)
	}
}

// --no-cache, a deleted cache and a corrupt entry all fall back to asking.
func TestPerfCallerCacheFallsBackToAsking(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, dir string) []string // returns extra flags
	}{
		{"--no-cache", func(*testing.T, string) []string { return []string{"--no-cache"} }},
		{"cache deleted", func(t *testing.T, dir string) []string {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			return nil
		}},
		{"entry corrupt", func(t *testing.T, dir string) []string {
			for _, p := range cacheFiles(t, dir) {
				if err := os.WriteFile(p, []byte("{not json"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, dir := cacheHarness(t)
			if r, _, _ := revokeByIDs(t, h, et.CIDeployBotUUID); r.code != 0 {
				t.Fatalf("first run:\n%s", r)
			}
			if len(cacheFiles(t, dir)) == 0 {
				t.Fatal("the first run remembered nothing")
			}
			r, _, rest := revokeByIDs(t, h, et.OldLaptopTokenUUID, tc.spoil(t, dir)...)
			mustRevokeAll(t, h, r, []string{et.OldLaptopTokenUUID})
			if rest != 1 {
				t.Errorf("%d REST requests, want 1: tokenctl must ask again", rest)
			}
			if tc.name == "--no-cache" {
				return
			}
			// Asking again repaired the cache.
			r, _, rest = revokeByIDs(t, h, et.TerraformTokenUUID)
			if rest != 0 || r.code != 0 {
				t.Errorf("after the repair: %d REST requests, want 0:\n%s", rest, r)
			}
		})
	}
}

// --no-cache neither reads nor writes the cache.
func TestNoCacheWritesNothing(t *testing.T) {
	h, dir := cacheHarness(t)
	r, _, _ := revokeByIDs(t, h, et.CIDeployBotUUID, "--no-cache")
	mustRevokeAll(t, h, r, []string{et.CIDeployBotUUID})
	if files := cacheFiles(t, dir); len(files) != 0 {
		t.Errorf("--no-cache wrote %v", files)
	}
}

// The cache holds no trace of the secret: not in a name, not in a file.
func TestCallerCacheHoldsNoSecret(t *testing.T) {
	h, dir := cacheHarness(t)
	if r, _, _ := revokeByIDs(t, h, et.CIDeployBotUUID); r.code != 0 {
		t.Fatalf("%s", r)
	}
	files := cacheFiles(t, dir)
	if len(files) == 0 {
		t.Fatal("nothing remembered")
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains([]byte(p), []byte(et.DemoToken)) || bytes.Contains(data, []byte(et.DemoToken)) {
			t.Errorf("%s holds the API token", p)
		}
	}
}

// The cache lives in the user's cache directory by default: XDG_CACHE_HOME
// here, never the config directory.
func TestCallerCacheDefaultsToTheUserCacheDir(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	cacheHome := t.TempDir()
	h.env["XDG_CACHE_HOME"] = cacheHome
	if r, _, _ := revokeByIDs(t, h, et.CIDeployBotUUID); r.code != 0 {
		t.Fatalf("%s", r)
	}
	if files := cacheFiles(t, filepath.Join(cacheHome, "tokenctl")); len(files) != 1 {
		t.Errorf("cache files under XDG_CACHE_HOME/tokenctl: %v, want one entry", files)
	}
}

// A remembered identity outlives its token, but cannot make a run succeed:
// once the credential is deleted, the mutation itself is refused (HTTP 401)
// and nothing is reported revoked.
func TestRememberedIdentityOfADeletedCredential(t *testing.T) {
	h, _ := cacheHarness(t)
	if r, _, _ := revokeByIDs(t, h, et.CIDeployBotUUID); r.code != 0 {
		t.Fatalf("%s", r)
	}
	if resp := h.srv.Do(t, "DELETE", "/v2/access-token", et.DemoToken, nil); resp.Status != 204 {
		t.Fatalf("deleting the credential: %d", resp.Status)
	}
	r, _, rest := revokeByIDs(t, h, et.OldLaptopTokenUUID)
	if rest != 0 {
		t.Fatalf("%d REST requests, want 0 (remembered)", rest)
	}
	if r.code != int(exitcode.Auth) || h.srv.RevocationCount(et.DemoOrgSlug, et.OldLaptopTokenUUID) != 0 {
		t.Fatalf("a run with a deleted credential:\n%s", r)
	}
	if s := decodeReport(t, r).Summary; s.Revoked != 0 {
		t.Errorf("reported %d revoked with a deleted credential", s.Revoked)
	}
}

func cacheFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) {
			return nil
		}
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
