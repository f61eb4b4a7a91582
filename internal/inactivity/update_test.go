package inactivity_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/audit/audittest"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/inactivity"
)

func TestApplyWritesIntentAndOutcome(t *testing.T) {
	srv := et.Start(t, emulator.Options{})
	for _, tt := range []struct {
		name, token, slug, to, result string
	}{
		{"applied", et.DemoToken, "acme", "DAYS_30", "updated"},
		{"plan without the feature", et.GlobexAdminToken, "globex", "DAYS_30", "failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := buildkite.New(buildkite.Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: tt.token})
			org, err := c.Organization(context.Background(), ident.Org{Slug: tt.slug})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			log, err := audit.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			now, err := inactivity.Apply(context.Background(), c, log, inactivity.Change{Organization: org, From: "DAYS_90", To: tt.to, ClientMutationID: "cm-1", Caller: audit.Caller{TokenUUID: "me"}})
			_ = log.Close()
			if (err == nil) != (tt.result == "updated") || (err == nil && now != tt.to) {
				t.Fatalf("now %q, err %v", now, err)
			}
			recs := audittest.Records(t, path)
			if len(recs) != 2 || recs[0].Event != audit.EventIntent || recs[1].Event != audit.EventOutcome || recs[1].Result != tt.result ||
				recs[1].Setting == nil || recs[1].Setting.From != "DAYS_90" || recs[1].Setting.To != tt.to || recs[1].ClientMutationID != "cm-1" {
				t.Errorf("audit records: %+v", recs)
			}
		})
	}
	_, period, err := buildkite.New(buildkite.Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken}).RevocationSetting(context.Background(), "acme")
	if err != nil || period != "DAYS_30" {
		t.Errorf("acme's period after the change: %q, %v", period, err)
	}
}
