package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/errcode"
)

// The red team's break-the-glass findings, attacked as they were, against
// the gateway over HTTP with tokens from an identity provider that signs
// whatever claims it is asked to.

const (
	glassReason = "Unconscious in the emergency department, no history available"
	readQuery   = `query($cpr: CPR!) { citizen(cpr: $cpr) { name } }`
	glassMut    = `mutation($cpr: CPR!, $reason: String!) { breakGlass(cpr: $cpr, reason: $reason) { id expiresAt } }`
	reviewQueue = `{ breakGlassReview(first: 100) { nodes { id citizen principal { subject role organization } reviewedBy } } }`
	doctorSOR   = "990301000000302"
	otherSOR    = "990301000000399"
)

// codeOf is the code of the response's first error, or "".
func codeOf(r gqlResponse) string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// readable reports whether token reads the citizen's name.
func readable(t *testing.T, s *stack, token, cpr string) bool {
	t.Helper()
	r := queryAs(t, s.GraphQL, token, readQuery, map[string]any{"cpr": cpr})
	if c := codeOf(r); c != "" && c != errcode.Forbidden {
		t.Fatalf("reading a citizen: %+v", r.Errors)
	}
	return codeOf(r) == ""
}

// grantsInQueue are the grants a privacy officer sees in the review queue.
func grantsInQueue(t *testing.T, s *stack, officer string) []map[string]any {
	t.Helper()
	got := decode[struct {
		BreakGlassReview struct{ Nodes []map[string]any }
	}](t, queryAs(t, s.GraphQL, officer, reviewQueue, nil))
	return got.BreakGlassReview.Nodes
}

// denied is the reasons of the subject's refused records for field.
func denied(t *testing.T, s *stack, subject, field string) []string {
	t.Helper()
	var out []string
	for _, r := range s.records(t, subject) {
		if r.Outcome == audit.OutcomeDenied && slices.Contains(r.Fields, field) {
			out = append(out, r.Reason)
		}
	}
	return out
}

func TestBreakTheGlassIsAControl(t *testing.T) {
	s, mint := startMintStack(t, func(c *config.Config) { c.Access.BreakGlassLimit = 3 })
	cprs := sample(t, s.demo, 4)
	officer := mint.as(t, "po-1", "privacy_officer", "")

	t.Run("twenty zero-width spaces are no reason", func(t *testing.T) {
		doctor := mint.as(t, "doc-zwsp", "clinician", doctorSOR)
		for _, reason := range []string{strings.Repeat("\u200b", 20), strings.Repeat("\u3164", 20), "a" + strings.Repeat(" ", 30) + "b"} {
			r := queryAs(t, s.GraphQL, doctor, glassMut, map[string]any{"cpr": cprs[0], "reason": reason})
			if codeOf(r) != errcode.BadUserInput || r.Errors[0].Extensions["field"] != "reason" {
				t.Errorf("reason %q: %+v, want BAD_USER_INPUT on reason", reason, r.Errors)
			}
		}
		if readable(t, s, doctor, cprs[0]) {
			t.Error("a refused reason opened the citizen")
		}
		if got := denied(t, s, "doc-zwsp", "Mutation.breakGlass"); len(got) != 3 || !strings.Contains(got[2], "invisible") {
			t.Errorf("refused attempts recorded: %q, want all three with their rule", got)
		}
	})

	t.Run("a mutation that fails leaves no grant: break the glass and self-approve", func(t *testing.T) {
		doctor := mint.as(t, "doc-self", "clinician", doctorSOR)
		mut := fmt.Sprintf(`mutation { a: breakGlass(cpr: %q, reason: %q) { id } b: reviewBreakGlass(id: "1", note: "self-approve") { id } }`, cprs[1], glassReason)
		r := queryAs(t, s.GraphQL, doctor, mut, nil)
		if codeOf(r) != errcode.Forbidden || string(r.Data) != "null" {
			t.Fatalf("answer %s %+v, want data null with FORBIDDEN", r.Data, r.Errors)
		}
		if readable(t, s, doctor, cprs[1]) {
			t.Error("the grant of the failed mutation opens the citizen")
		}
		for _, g := range grantsInQueue(t, s, officer) {
			if g["citizen"] == cprs[1] {
				t.Errorf("the failed mutation left a grant in the register: %v", g)
			}
		}
		if got := denied(t, s, "doc-self", "Mutation.breakGlass"); len(got) != 1 || !strings.Contains(got[0], "all or nothing") {
			t.Errorf("the dropped grant is recorded as %q, want a refusal saying all or nothing", got)
		}
		if got := denied(t, s, "doc-self", "Mutation.reviewBreakGlass"); len(got) != 1 || !strings.Contains(got[0], "privacy officers") {
			t.Errorf("the refused self-approval is recorded as %q", got)
		}
	})

	t.Run("ten grants in one mutation are refused whole; the cap then counts one by one", func(t *testing.T) {
		doctor := mint.as(t, "doc-ten", "clinician", doctorSOR)
		var b strings.Builder
		b.WriteString("mutation {")
		for i := range 10 {
			fmt.Fprintf(&b, ` g%d: breakGlass(cpr: %q, reason: %q) { id }`, i, cprs[i%len(cprs)], glassReason)
		}
		b.WriteString(" }")
		r := queryAs(t, s.GraphQL, doctor, b.String(), nil)
		if codeOf(r) != errcode.BreakGlassLimit || !strings.Contains(r.Errors[0].Message, "3 times in the last 24 hours") {
			t.Fatalf("ten grants: %s %+v, want BREAK_GLASS_LIMIT_REACHED naming the limit", r.Data, r.Errors)
		}
		if readable(t, s, doctor, cprs[0]) {
			t.Error("the refused mutation granted its first three")
		}
		for i := range 3 {
			if r := queryAs(t, s.GraphQL, doctor, glassMut, map[string]any{"cpr": cprs[i], "reason": glassReason}); len(r.Errors) > 0 {
				t.Fatalf("grant %d of 3: %+v", i+1, r.Errors)
			}
		}
		r = queryAs(t, s.GraphQL, doctor, glassMut, map[string]any{"cpr": cprs[3], "reason": glassReason})
		if codeOf(r) != errcode.BreakGlassLimit {
			t.Errorf("a fourth grant: %+v, want BREAK_GLASS_LIMIT_REACHED", r.Errors)
		}
		// The same person in another role is the same person.
		if r := queryAs(t, s.GraphQL, mint.as(t, "doc-ten", "gp", "123456"), glassMut, map[string]any{"cpr": cprs[3], "reason": glassReason}); codeOf(r) != errcode.BreakGlassLimit {
			t.Errorf("a fourth grant in another role: %+v, want BREAK_GLASS_LIMIT_REACHED", r.Errors)
		}
		if !readable(t, s, doctor, cprs[0]) || readable(t, s, doctor, cprs[3]) {
			t.Error("the three grants do not open their citizens, or the refused fourth opens its own")
		}
		if got := denied(t, s, "doc-ten", "Mutation.breakGlass"); len(got) < 12 {
			t.Errorf("%d refused attempts recorded, want the ten of the mutation and the two beyond the limit", len(got))
		}
	})

	t.Run("a grant follows subject, role and organisation", func(t *testing.T) {
		doctor := mint.as(t, "doc-bound", "clinician", doctorSOR)
		if r := queryAs(t, s.GraphQL, doctor, glassMut, map[string]any{"cpr": cprs[2], "reason": glassReason}); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		if !readable(t, s, doctor, cprs[2]) {
			t.Fatal("the grant does not open the citizen to its holder")
		}
		for name, token := range map[string]string{
			"the same subject at another department": mint.as(t, "doc-bound", "clinician", otherSOR),
			"the same subject as a GP":               mint.as(t, "doc-bound", "gp", "123456"),
			"the same subject as a municipal nurse":  mint.as(t, "doc-bound", "municipal_nurse", "101"),
		} {
			if readable(t, s, token, cprs[2]) {
				t.Errorf("%s reads the citizen under the grant", name)
			}
		}
	})

	t.Run("every refused attempt at the review is recorded", func(t *testing.T) {
		for _, who := range []struct{ subject, role, org string }{
			{"doc-r", "clinician", doctorSOR}, {"citizen-r", "citizen", ""}, {"int-r", "integrator", ""},
		} {
			claims := map[string]any{"sub": who.subject, "klynge_role": who.role}
			switch who.role {
			case "clinician":
				claims["klynge_org"] = who.org
			case "citizen":
				claims["klynge_cpr"] = cprs[0]
			case "integrator":
				claims["klynge_clusters"] = "sjaelland-naestved-slagelse"
			}
			token := mint.sign(t, claims)
			if r := queryAs(t, s.GraphQL, token, reviewQueue, nil); codeOf(r) != errcode.Forbidden {
				t.Errorf("%s reads the review queue: %+v", who.role, r.Errors)
			}
			if r := queryAs(t, s.GraphQL, token, `mutation { reviewBreakGlass(id: "1", note: "fine") { id } }`, nil); codeOf(r) != errcode.Forbidden {
				t.Errorf("%s reviews a grant: %+v", who.role, r.Errors)
			}
			if len(denied(t, s, who.subject, "Query.breakGlassReview")) != 1 || len(denied(t, s, who.subject, "Mutation.reviewBreakGlass")) != 1 {
				t.Errorf("%s's refused review attempts are not both recorded: %+v", who.role, s.records(t, who.subject))
			}
		}
	})

	t.Run("nobody reviews their own grant, whatever role they present", func(t *testing.T) {
		doctor := mint.as(t, "dual-1", "clinician", doctorSOR)
		r := queryAs(t, s.GraphQL, doctor, glassMut, map[string]any{"cpr": cprs[3], "reason": glassReason})
		var got struct{ BreakGlass struct{ ID string } }
		if len(r.Errors) > 0 || json.Unmarshal(r.Data, &got) != nil {
			t.Fatalf("break the glass: %+v", r.Errors)
		}
		self := mint.as(t, "dual-1", "privacy_officer", "")
		review := fmt.Sprintf(`mutation { reviewBreakGlass(id: %q, note: "justified") { id reviewedBy } }`, got.BreakGlass.ID)
		if r := queryAs(t, s.GraphQL, self, review, nil); codeOf(r) != errcode.Forbidden || !strings.Contains(r.Errors[0].Message, "your own") {
			t.Errorf("self-review: %+v, want FORBIDDEN", r.Errors)
		}
		if got := denied(t, s, "dual-1", "Mutation.reviewBreakGlass"); len(got) != 1 {
			t.Errorf("the self-review is recorded as %q", got)
		}
		if r := queryAs(t, s.GraphQL, officer, review, nil); len(r.Errors) > 0 {
			t.Errorf("another officer's review: %+v", r.Errors)
		}
		if r := queryAs(t, s.GraphQL, officer, review, nil); codeOf(r) != errcode.BadUserInput {
			t.Errorf("a second review: %+v, want BAD_USER_INPUT", r.Errors)
		}
	})

	t.Run("the log verifies after all of it", func(t *testing.T) {
		rep, err := s.gateway.access.log.Verify(t.Context())
		if err != nil || !rep.OK || rep.Grants < 5 {
			t.Errorf("Verify = %+v, %v", rep, err)
		}
	})
}

// A list of citizens without a care relationship asks the grant register
// once, not once per citizen, and still opens exactly the granted ones.
func TestOneReadOfTheGrantRegisterAnswersAWholeList(t *testing.T) {
	s, mint := startMintStack(t, func(c *config.Config) { c.Access.BreakGlassLimit = 10 })
	cprs := sample(t, s.demo, 6)
	doctor := mint.as(t, "doc-list", "clinician", doctorSOR)
	for _, cpr := range cprs[:4] {
		if r := queryAs(t, s.GraphQL, doctor, glassMut, map[string]any{"cpr": cpr, "reason": glassReason}); len(r.Errors) > 0 {
			t.Fatalf("break the glass: %+v", r.Errors)
		}
	}

	before := s.metric(t, "klynge_audit_grant_reads_total")
	r := queryAs(t, s.GraphQL, doctor, `query($cprs: [CPR!]!) { citizens(cprs: $cprs) { cpr name } }`, map[string]any{"cprs": cprs})
	if reads := s.metric(t, "klynge_audit_grant_reads_total") - before; reads != 1 {
		t.Errorf("a list of %d citizens read the grant register %v times, want once", len(cprs), reads)
	}

	got := decode[struct {
		Citizens []*struct{ CPR, Name string }
	}](t, gqlResponse{Data: r.Data})
	if len(got.Citizens) != len(cprs) {
		t.Fatalf("citizens = %d entries, want %d", len(got.Citizens), len(cprs))
	}
	for i, c := range got.Citizens {
		granted := i < 4
		if opened := c != nil && c.Name != ""; opened != granted {
			t.Errorf("citizen %d (granted: %v) opened: %v", i, granted, opened)
		}
	}
	forbidden := 0
	for _, e := range r.Errors {
		if e.Extensions["code"] == errcode.Forbidden {
			forbidden++
		}
	}
	if forbidden != 2 {
		t.Errorf("errors %+v, want FORBIDDEN for the 2 citizens without a grant", r.Errors)
	}
}
