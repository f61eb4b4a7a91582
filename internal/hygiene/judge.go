package hygiene

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// orgFindings is one organization's token findings, judged a page of
// tokens at a time, so that a check judges each page while the next one is
// on its way. The findings are kept by rule, one run per page, each run
// sorted by token uuid: the report's order (severity, organization, rule,
// token) is then a merge of sorted runs, not a sort of every finding. They
// are kept compact until the report is laid out, which makes each of them
// once more.
type orgFindings struct {
	p   *Policy
	now time.Time
	org string // the organization's slug
	// members are the organization's members by user uuid, nil when they
	// were not listed.
	members map[string]*buildkite.Member
	tokens  int
	count   int
	// runs holds, for each of the policy's rules, its runs of findings.
	runs [][][]judged
	// uses counts the findings each of the policy's exceptions covered.
	uses []int
	// perRule, next and found are scratch: a page's findings by rule,
	// and as judged.
	perRule, next []int
	found         []pageFinding
	// owners are the owners' views, shared by their tokens; messages are
	// the messages said, shared by the findings that say the same.
	owners   map[ownerKey]*OwnerRef
	messages map[messageKey]string
}

// messageKey is what a finding's message says, but for the scope rules'
// (see FindingEvidence.message): the rule, the shape of its evidence, and
// its span in whole hours, which is all wholeDays shows of it.
type messageKey struct {
	rule     *Rule
	variant  evidenceVariant
	hours    int64
	positive bool // an expiring token's span says expired or expires in
}

// message is the evidence's message, said once for all the findings that
// say the same.
func (j *orgFindings) message(ev *FindingEvidence) string {
	if ev.rule.Kind == KindScopes {
		return ev.message()
	}
	key := messageKey{ev.rule, ev.variant, int64(ev.span / time.Hour), ev.span > 0}
	m, ok := j.messages[key]
	if !ok {
		m = ev.message()
		j.messages[key] = m
	}
	return m
}

// judged is a finding as it is kept until the report is laid out: its
// rule is its evidence's, and it is excepted when its exception is
// active.
type judged struct {
	token     *judgedToken
	message   string
	evidence  FindingEvidence
	exception *ExceptionRef
	// key is the first eight bytes of the token's uuid, which order most
	// findings without reading the uuid (see byTokenUUID).
	key uint64
}

// uuidKey is the first eight bytes of s, zeros after a shorter s, as a
// number that orders as they do.
func uuidKey(s string) uint64 {
	var k uint64
	for i := range 8 {
		k <<= 8
		if i < len(s) {
			k |= uint64(s[i])
		}
	}
	return k
}

// byTokenUUID orders findings by token uuid. Keys that differ order their
// uuids as the uuids do; equal keys leave it to the uuids.
func byTokenUUID(a, b *judged) int {
	if a.key != b.key {
		return cmp.Compare(a.key, b.key)
	}
	return strings.Compare(a.token.ref.UUID, b.token.ref.UUID)
}

// finding is the report's finding.
func (j *judged) finding(org string) Finding {
	rule := j.evidence.rule
	f := Finding{
		Organization: org, Token: &j.token.ref, Owner: j.token.owner,
		Rule: rule.Name, Kind: rule.Kind, Severity: rule.Severity, Message: j.message, Evidence: j.evidence,
		Bot: j.token.bot, MachineUser: j.token.machineUser, Status: StatusOpen, Exception: j.exception,
	}
	if j.exception != nil && !j.exception.Expired {
		f.Status = StatusExcepted
	}
	return f
}

// newOrgFindings judges against p at now (whole seconds, UTC) with the
// organization's members, nil when they were not listed.
func newOrgFindings(p *Policy, now time.Time, members []buildkite.Member) *orgFindings {
	return &orgFindings{
		p: p, now: now, members: memberIndex(members),
		runs: make([][][]judged, len(p.Rules)), uses: make([]int, len(p.Exceptions)),
		perRule: make([]int, len(p.Rules)), next: make([]int, len(p.Rules)),
		owners: map[ownerKey]*OwnerRef{}, messages: map[messageKey]string{},
	}
}

// checkTime is the time a check judges at: whole seconds, in UTC.
func checkTime(now time.Time) time.Time { return now.UTC().Truncate(time.Second) }

func memberIndex(ms []buildkite.Member) map[string]*buildkite.Member {
	if ms == nil {
		return nil
	}
	index := make(map[string]*buildkite.Member, len(ms))
	for i := range ms {
		index[strings.ToLower(ms[i].User.UUID)] = &ms[i]
	}
	return index
}

// pageFinding is a rule a token of a page breaks, as judged.
type pageFinding struct {
	token  *buildkite.Token
	member *buildkite.Member
	rule   int
	ev     FindingEvidence
}

// add judges a page of the organization's tokens. What holds the result
// costs more than judging: the page's findings are judged into scratch and
// counted, then made in one slice of exactly that size, grouped by rule.
func (j *orgFindings) add(org buildkite.Organization, tokens []buildkite.Token) {
	j.org = org.Slug
	j.tokens += len(tokens)
	clear(j.perRule)
	j.found = j.found[:0]
	j.each(tokens, func(t *buildkite.Token, member *buildkite.Member, rule int, ev FindingEvidence) {
		j.perRule[rule]++
		j.found = append(j.found, pageFinding{t, member, rule, ev})
	})
	// The scratch keeps no token of this page once it is judged.
	defer clear(j.found)
	n := 0
	for rule, c := range j.perRule {
		j.next[rule] = n
		n += c
	}
	if n == 0 {
		return
	}
	page := make([]judged, n)
	var jt *judgedToken
	var last *buildkite.Token
	for i := range j.found {
		pf := &j.found[i]
		t, rule := pf.token, pf.rule
		if t != last {
			jt, last = newJudgedToken(t, pf.member, j.owners), t
		}
		// What an exception matches a finding on.
		f := Finding{Token: &jt.ref, Owner: jt.owner, Rule: j.p.Rules[rule].Name}
		applyException(&f, j.p.Exceptions, j.uses, j.now)
		page[j.next[rule]] = judged{token: jt, message: j.message(&pf.ev), evidence: pf.ev, exception: f.Exception, key: uuidKey(t.UUID)}
		j.next[rule]++
	}
	start := 0
	for rule, c := range j.perRule {
		if c == 0 {
			continue
		}
		run := page[start : start+c : start+c]
		slices.SortFunc(run, func(a, b judged) int { return byTokenUUID(&a, &b) })
		j.runs[rule] = append(j.runs[rule], run)
		start += c
	}
	j.count += n
}

// each calls found for every rule a token breaks, token by token in the
// listing's order, rules in the policy's (by index).
func (j *orgFindings) each(tokens []buildkite.Token, found func(t *buildkite.Token, member *buildkite.Member, rule int, ev FindingEvidence)) {
	for i := range tokens {
		t := &tokens[i]
		var member *buildkite.Member
		if t.Owner != nil && j.members != nil {
			member = j.members[strings.ToLower(t.Owner.UUID)]
		}
		for k := range j.p.Rules {
			rule := &j.p.Rules[k]
			if !rule.appliesToOwner(t, member) {
				continue
			}
			if ev, ok := rule.judge(t, member, j.members != nil, j.now); ok {
				found(t, member, k, ev)
			}
		}
	}
}

// findingsInOrder lays the organizations' findings out worst first:
// severity, then organization, rule and token (organization, rule and
// token identify a finding, so the order is total). Each organization's
// runs of a rule are merged by token uuid.
func findingsInOrder(p *Policy, orgs []Organization, judged []*orgFindings) []Finding {
	total := 0
	type group struct{ org, rule, at, n int }
	var groups []group
	for i, j := range judged {
		total += j.count
		for rule, runs := range j.runs {
			n := 0
			for _, r := range runs {
				n += len(r)
			}
			if n > 0 {
				groups = append(groups, group{org: i, rule: rule, n: n})
			}
		}
	}
	slices.SortStableFunc(groups, func(a, b group) int {
		ra, rb := &p.Rules[a.rule], &p.Rules[b.rule]
		return cmp.Or(
			cmp.Compare(rb.Severity.rank(), ra.Severity.rank()),
			cmp.Compare(orgs[a.org].Organization.Slug, orgs[b.org].Organization.Slug),
			cmp.Compare(ra.Name, rb.Name),
		)
	})
	at := 0
	for i := range groups {
		groups[i].at = at
		at += groups[i].n
	}
	// Each group has its place in the list: the groups are merged on every
	// processor at once, in shares of about the same number of findings.
	out := make([]Finding, total)
	workers := min(runtime.GOMAXPROCS(0), 4, len(groups))
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			for _, g := range groups {
				if g.at*workers/total == k {
					mergeRuns(out[g.at:g.at:g.at+g.n], judged[g.org].org, judged[g.org].runs[g.rule])
				}
			}
		})
	}
	wg.Wait()
	return out
}

// mergeRuns appends the findings of runs, each sorted by token uuid, to
// dst in token uuid order; findings of the same token uuid keep the order
// of their runs.
func mergeRuns(dst []Finding, org string, runs [][]judged) []Finding {
	if len(runs) == 1 {
		for i := range runs[0] {
			dst = append(dst, runs[0][i].finding(org))
		}
		return dst
	}
	// A binary min-heap of the runs' heads.
	type head struct {
		run []judged
		at  int // the run's place among runs, to break ties
	}
	h := make([]head, 0, len(runs))
	for i, r := range runs {
		if len(r) > 0 {
			h = append(h, head{r, i})
		}
	}
	less := func(a, b int) bool {
		c := byTokenUUID(&h[a].run[0], &h[b].run[0])
		return c < 0 || (c == 0 && h[a].at < h[b].at)
	}
	down := func(i int) {
		for {
			least, l, r := i, 2*i+1, 2*i+2
			if l < len(h) && less(l, least) {
				least = l
			}
			if r < len(h) && less(r, least) {
				least = r
			}
			if least == i {
				return
			}
			h[i], h[least] = h[least], h[i]
			i = least
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for len(h) > 0 {
		dst = append(dst, h[0].run[0].finding(org))
		if h[0].run = h[0].run[1:]; len(h[0].run) == 0 {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
	return dst
}

// pageQueue hands pages of tokens from the listing to the judge without
// ever making the listing wait: pages pile up while the members are
// still being listed.
type pageQueue struct {
	mu     sync.Mutex
	pages  []buildkite.TokenPage
	closed bool
	ready  chan struct{}
}

func newPageQueue() *pageQueue { return &pageQueue{ready: make(chan struct{}, 1)} }

func (q *pageQueue) put(p buildkite.TokenPage) {
	q.mu.Lock()
	q.pages = append(q.pages, p)
	q.mu.Unlock()
	q.wake()
}

// close says no page follows.
func (q *pageQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.wake()
}

func (q *pageQueue) wake() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// get waits for the next page; false when the queue is closed and empty.
func (q *pageQueue) get() (buildkite.TokenPage, bool) {
	for {
		q.mu.Lock()
		if len(q.pages) > 0 {
			p := q.pages[0]
			q.pages[0] = buildkite.TokenPage{}
			q.pages = q.pages[1:]
			q.mu.Unlock()
			return p, true
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return buildkite.TokenPage{}, false
		}
		<-q.ready
	}
}
