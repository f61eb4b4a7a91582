package buildkite_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// quirkyAuditClient is auditClient with the emulator's listing quirks.
func quirkyAuditClient(t *testing.T, opts emulator.Options, pageSize int) *buildkite.Client {
	t.Helper()
	opts.Now = func() time.Time { return auditNow }
	srv := et.Start(t, opts)
	return buildkite.New(buildkite.Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken, PageSize: pageSize})
}

// readAudit lists acme's whole audit log: the events handed over, and the
// error.
func readAudit(c *buildkite.Client) ([]buildkite.AuditEvent, error) {
	var events []buildkite.AuditEvent
	_, err := c.ListAuditEvents(context.Background(), "acme", buildkite.AuditFilter{}, func(p buildkite.AuditPage) bool {
		events = append(events, p.Events...)
		return true
	})
	return events, err
}

// A page of the audit log with a null where the schema allows one fails the
// listing, naming what was missing. Before, a null edge or node was
// skipped, and a page without pageInfo ended the listing, so part of the
// log read as the whole.
func TestAuditListingWithAHoleFails(t *testing.T) {
	want := map[emulator.ListingHole]string{
		emulator.HoleAuditPageInfo: "a page of audit events without pageInfo",
		emulator.HoleAuditEdges:    "a page of audit events without its edges",
		emulator.HoleAuditEdge:     "a null in place of an audit event",
		emulator.HoleAuditNode:     "a null in place of an audit event",
	}
	for hole, msg := range want {
		t.Run(string(hole), func(t *testing.T) {
			events, err := readAudit(quirkyAuditClient(t, emulator.Options{ListingHole: hole}, 2))
			if err == nil || buildkite.KindOf(err) != buildkite.KindOther || !strings.Contains(err.Error(), `reading the audit log of organization "acme": Buildkite's answer has `+msg) {
				t.Fatalf("%d events, err %v; want the hole named", len(events), err)
			}
		})
	}
	// The subject is the history's to need (see history.Read): the
	// listing hands the event over as it came.
	events, err := readAudit(quirkyAuditClient(t, emulator.Options{ListingHole: emulator.HoleAuditSubject}, 2))
	if err != nil || len(events) < 3 || events[2].Subject != nil {
		t.Errorf("a null subject: %d events, err %v", len(events), err)
	}
}

// An event repeated across pages is handed over once when both copies say
// the same; copies that differ fail the listing, naming the event.
func TestAuditListingRepeats(t *testing.T) {
	plain, err := readAudit(quirkyAuditClient(t, emulator.Options{}, 2))
	if err != nil {
		t.Fatal(err)
	}
	same, err := readAudit(quirkyAuditClient(t, emulator.Options{RepeatAcrossPages: true}, 2))
	if err != nil || len(same) != len(plain) {
		t.Errorf("identical repeats: %d events (want %d), err %v", len(same), len(plain), err)
	}
	for i := range same {
		if i < len(plain) && same[i].UUID != plain[i].UUID {
			t.Errorf("event %d: %s, want %s", i, same[i].UUID, plain[i].UUID)
		}
	}
	_, err = readAudit(quirkyAuditClient(t, emulator.Options{RepeatChanged: true}, 2))
	// The second page repeats the second event listed.
	want := fmt.Sprintf("Buildkite listed audit event %s twice, and the two copies differ", plain[1].UUID)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("changed repeat: err %v, want %q", err, want)
	}
}

// fakeAuditLog answers every page of acme's audit log with fresh events
// (new uuids and cursors) when fresh, or the same one when not, and says
// more follow, until stop requests have been made; count is what it
// counts. It reports how many requests it was sent.
func fakeAuditLog(t *testing.T, count int, fresh bool, stop int32) (*buildkite.Client, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		i := n.Add(1)
		id := int32(1)
		if fresh {
			id = i
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"data":{"organization":{"id":"T3Jn","uuid":"u","slug":"acme","name":"Acme","permissions":{"auditEventsView":{"allowed":true}},
"auditEvents":{"count":%d,"pageInfo":{"hasNextPage":%t,"endCursor":"c%d"},"edges":[{"node":{"uuid":"e%d","type":"API_ACCESS_TOKEN_DELETED","occurredAt":"2026-06-01T12:00:00Z",
"subject":{"id":"s","uuid":"s","name":null,"type":"API_ACCESS_TOKEN"},"actor":null,"context":null}}]}}}}`, count, i < stop, i, id)
	}))
	t.Cleanup(srv.Close)
	return buildkite.New(buildkite.Config{GraphQLEndpoint: srv.URL + "/v1", RESTEndpoint: srv.URL, Token: "bkua_x", PageSize: 1}), &n
}

// Paging is bounded: a server that keeps saying more follow is not paged
// for ever, whether it hands out events it did not count or nothing new.
// Before, only a cursor given twice stopped the listing.
func TestAuditListingIsBounded(t *testing.T) {
	c, n := fakeAuditLog(t, 3, true, 50)
	events, err := readAudit(c)
	if err == nil || !strings.Contains(err.Error(), "Buildkite handed out 4 audit events but counts 3") || n.Load() != 4 {
		t.Errorf("uncounted events: %d events in %d requests, err %v", len(events), n.Load(), err)
	}
	c, n = fakeAuditLog(t, 3, false, 50)
	events, err = readAudit(c)
	if err == nil || !strings.Contains(err.Error(), "none not seen before, yet says more follow") || n.Load() != 2 {
		t.Errorf("nothing new: %d events in %d requests, err %v", len(events), n.Load(), err)
	}
	// A log that ends as counted is read whole.
	c, n = fakeAuditLog(t, 3, true, 3)
	if events, err = readAudit(c); err != nil || len(events) != 3 || n.Load() != 3 {
		t.Errorf("a counted log: %d events in %d requests, err %v", len(events), n.Load(), err)
	}
}
