package revoke

import (
	"context"
	"fmt"
	"strings"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// EverywherePlan is the deletion of a token itself (REST DELETE
// /v2/access-token, authenticated by the token's own value): unlike an
// organization revocation it ends the token for every organization and
// every API at once.
type EverywherePlan struct {
	Token  buildkite.AccessToken // whose value was given
	Caller buildkite.AccessToken // the token tokenctl is using
}

// ResolveEverywhere asks which token tokenctl is using and refuses to plan
// the deletion of that one unless allowSelf.
func ResolveEverywhere(ctx context.Context, c *buildkite.Client, tok buildkite.AccessToken, allowSelf bool) (*EverywherePlan, error) {
	self, err := c.Caller(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w (tokenctl refuses to revoke anything until it knows which token it is using)", err)
	}
	if strings.EqualFold(self.UUID, tok.UUID) && !allowSelf {
		return nil, exitcode.New(exitcode.Refused, fmt.Errorf("token %s is the API token tokenctl is using; deleting it would cut off this run (pass --allow-self to do it anyway)", tok.UUID))
	}
	return &EverywherePlan{Token: tok, Caller: self}, nil
}

// DeleteEverywhere deletes the planned token, whose secret value is given,
// through the same sequence as a revocation (audit intent, request, audit
// outcome; after a lost answer, a re-check, here by asking whether the
// value still works; sent again when that proves it did not apply). It
// returns a note to show when the token was deleted but something is worth
// saying, and an error when it was not deleted or that is unknown.
func (e *Executor) DeleteEverywhere(ctx context.Context, p *EverywherePlan, secret string) (note string, err error) {
	tok := p.Token
	s := e.carryOut(ctx, e.newMutationID(), irreversible{
		record: audit.Record{
			Action: "accessTokenDelete",
			Caller: audit.CallerOf(p.Caller),
			Token:  audit.Token{UUID: tok.UUID, Description: tok.Description, Owner: tok.User.Email},
		},
		send: func(ctx context.Context, _ string) error {
			err := e.Client.DeleteAccessToken(ctx, secret)
			switch buildkite.KindOf(err) {
			case buildkite.KindServer, buildkite.KindNetwork:
				// The DELETE may have been applied behind a failing
				// gateway or a cut connection: the re-check says.
				return &buildkite.Error{Kind: buildkite.KindOutcomeUnknown, Message: err.Error(), Err: err}
			case buildkite.KindUnauthorized:
				// Perhaps revoked by someone else since the lookup, but
				// the value was just seen alive, and a 401 to the DELETE
				// (from a proxy, say) is no proof: the re-check asks
				// whether the value still works.
				return &buildkite.Error{Kind: buildkite.KindOutcomeUnknown, Message: "revoking the token everywhere: Buildkite answered the deletion with HTTP 401 though the value worked just before", Err: err}
			}
			return err
		},
		gone: func(ctx context.Context) (bool, error) {
			_, err := e.Client.AccessTokenOf(ctx, secret)
			if err == nil {
				return false, nil
			}
			return buildkite.KindOf(err) == buildkite.KindUnauthorized, ignoreUnauthorized(err)
		},
		seenBefore:   true, // the value was looked up before the DELETE
		what:         "the token's value still works",
		lookAgain:    "run `tokenctl whoami` with the token's value as the API token to see whether it still works",
		notFound:     func(err error) string { return err.Error() },
		noMutationID: true,
	})
	switch s.status {
	case StatusRevoked:
		return s.err, nil
	case StatusUnknown:
		return "", &buildkite.Error{Kind: buildkite.KindOutcomeUnknown, Message: s.err}
	}
	return "", &buildkite.Error{Kind: s.kind, Message: s.err}
}

// ignoreUnauthorized is err unless it is the 401 that answers a value that
// no longer works: to a re-check, that is the answer, not a failure.
func ignoreUnauthorized(err error) error {
	if buildkite.KindOf(err) == buildkite.KindUnauthorized {
		return nil
	}
	return err
}
