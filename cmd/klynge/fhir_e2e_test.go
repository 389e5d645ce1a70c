package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// sandboxCounter counts the eHospitalet requests the sandbox saw since the
// last call, and logs them per route.
func sandboxCounter(t *testing.T, d *demo, dialect string) func(op string) {
	sb := &sandboxtest.Server{URL: d.Sandbox, URLs: sandbox.URLs(d.Sandbox)}
	sb.ResetStats(t)
	return func(op string) {
		st := sb.Stats(t).Systems[controls.SystemEHospital]
		var routes []string
		for pattern, r := range st.Routes {
			routes = append(routes, fmt.Sprintf("%s ×%d", pattern, r.Requests))
		}
		sort.Strings(routes)
		t.Logf("requests dialect=%s op=%q ehospital=%d: %s", dialect, op, st.Requests, strings.Join(routes, ", "))
		sb.ResetStats(t)
	}
}

// TestEveryFHIRDialectGivesTheSameAnswers runs the patient context, the
// 100-citizen list and the worklist against eHospitalet served in each
// dialect, and compares every field with the answers of eHospitalet's own
// dialect. Under the 8 KiB request line of two of them nothing fails: no
// request is refused, every answer is whole.
func TestEveryFHIRDialectGivesTheSameAnswers(t *testing.T) {
	d, sb := fhirStack(t, "ehospital", "")
	cprs := fhirCitizens(t, d, sb)
	want := runOperations(t, d, cprs, sandboxCounter(t, d, "ehospital"))
	if err := checkDeadAndPartial(want, cprs, false); err != nil {
		t.Fatal(err)
	}
	for _, dialect := range []string{"hapi", "medplum", "strict"} {
		t.Run(dialect, func(t *testing.T) {
			d, sb := fhirStack(t, dialect, "")
			grantGlass(t, d, cprs)
			// A first gateway learns what the server refuses; the cost of
			// that is logged apart from the counts.
			first := sandboxCounter(t, d, dialect)
			warmUp(t, d, cprs)
			first("warm-up (3 citizens, another worklist), refusals learnt")
			got := runOperations(t, d, cprs, sandboxCounter(t, d, dialect))
			compareAnswers(t, want, got, deceasedWithoutDate)
			if err := checkDeadAndPartial(got, cprs, dialect == "strict"); err != nil {
				t.Error(err)
			}
			if dialect == "strict" && len(sb.World().Citizens()) != fhirPopulation {
				t.Fatal("not the same world")
			}
		})
	}
}

// checkDeadAndPartial checks the list's last two citizens: the one who
// died is shown deceased (without a date when the server gave none), the
// one with a year-only birth date keeps the CPR's.
func checkDeadAndPartial(a answers, cprs []string, dateless bool) error {
	list := a["citizen list"].(map[string]any)["citizens"].([]any)
	dead, yearOnly := list[98].(map[string]any), list[99].(map[string]any)
	same := func(c any, cpr string) bool { return strings.ReplaceAll(fmt.Sprint(c), "-", "") == cpr }
	if !same(dead["cpr"], cprs[98]) || dead["deceased"] != true || (dateless != (dead["deceasedAt"] == nil)) {
		return fmt.Errorf("the citizen who died: deceased %v, deceasedAt %v", dead["deceased"], dead["deceasedAt"])
	}
	if !same(yearOnly["cpr"], cprs[99]) || yearOnly["birthDate"] == nil || yearOnly["name"] == nil {
		return fmt.Errorf("the citizen with a year-only birth date: %v", yearOnly)
	}
	return nil
}

// medplum is Medplum's FHIR router and in-memory repository behind the
// wrapper in scripts/fhir-server, on loopback.
type medplum struct {
	base  string // http://127.0.0.1:PORT/fhir/R4
	admin string // http://127.0.0.1:PORT/_admin
}

// startMedplum runs scripts/fhir-server with _count capped at maxCount, or
// skips when Node or its packages are missing outside CI.
func startMedplum(t *testing.T, maxCount int) *medplum {
	t.Helper()
	missing := t.Skipf
	if os.Getenv("CI") == "true" {
		missing = t.Fatalf
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	root := filepath.Join("..", "..", "scripts", "fhir-server")
	if _, err := os.Stat(filepath.Join(root, "node_modules")); err != nil {
		missing("run 'npm ci --prefix scripts/fhir-server' first")
	}
	cmd := exec.Command(node, "server.mjs")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PORT=0", fmt.Sprintf("MAX_COUNT=%d", maxCount))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				ready <- v
			}
		}
	}()
	select {
	case base := <-ready:
		return &medplum{base: base, admin: strings.TrimSuffix(base, "/fhir/R4") + "/_admin"}
	case <-time.After(60 * time.Second):
		t.Fatalf("the FHIR server did not start within 60s:\n%s", stderr.String())
	}
	return nil
}

type medplumRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status"`
	Millis int    `json:"ms"`
}

// requests returns the server's request log since the last call, and
// empties it.
func (m *medplum) requests(t *testing.T) []medplumRequest {
	t.Helper()
	resp, err := http.Post(m.admin+"/requests", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []medplumRequest
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// load copies eHospitalet's resources out of the sandbox, as the sandbox
// writes them in dialect (its own searches, every page), into the server,
// which validates each against FHIR R4.
func (m *medplum) load(t *testing.T, d *demo, dialect string) {
	t.Helper()
	sb := &sandboxtest.Server{URL: d.Sandbox, URLs: sandbox.URLs(d.Sandbox)}
	sb.SetDialect(t, dialect)
	defer sb.SetDialect(t, "ehospital")
	var entries []map[string]json.RawMessage
	kinds := map[string]int{}
	for _, search := range []string{"/Patient?_count=200", "/Encounter?_count=200&_revinclude=Provenance:target"} {
		next := sb.URLs.EHospitalFHIR + search
		for next != "" {
			resp, err := http.Get(next)
			if err != nil {
				t.Fatal(err)
			}
			var b struct {
				Link  []struct{ Relation, URL string }
				Entry []struct {
					Resource json.RawMessage `json:"resource"`
				}
			}
			err = json.NewDecoder(resp.Body).Decode(&b)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range b.Entry {
				var head struct{ ResourceType string }
				_ = json.Unmarshal(e.Resource, &head)
				kinds[head.ResourceType]++
				entries = append(entries, map[string]json.RawMessage{"resource": e.Resource})
			}
			next = ""
			for _, l := range b.Link {
				if l.Relation == "next" {
					next = l.URL
				}
			}
		}
	}
	body, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "collection", "entry": entries})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(m.admin+"/load", "application/fhir+json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the FHIR server refused the sandbox's resources: %d %s", resp.StatusCode, answer)
	}
	t.Logf("loaded into the FHIR server, each validated against R4: %v (%s)", kinds, answer)
}

// TestAThirdPartyFHIRServerGivesTheSameAnswers loads the sandbox's Patients,
// Encounters and Provenances, with reference-only subjects, into a FHIR
// server nobody here wrote (Medplum's router and in-memory repository,
// _count capped at 20), points eHospitalet at it, and compares the patient
// context, the 100-citizen list and the worklist field by field with the
// sandbox's own answers. The server's request log shows no CPR in any URL.
func TestAThirdPartyFHIRServerGivesTheSameAnswers(t *testing.T) {
	mp := startMedplum(t, 20)
	d, sb := fhirStack(t, "ehospital", "")
	cprs := fhirCitizens(t, d, sb)
	want := runOperations(t, d, cprs, func(string) {})
	mp.load(t, d, "medplum")
	mp.requests(t)

	d2, _ := fhirStack(t, "ehospital", mp.base)
	t.Cleanup(func() {
		if t.Failed() {
			for _, r := range mp.requests(t) {
				u, _ := url.Parse(r.URL)
				t.Logf("the FHIR server's log: %s %s %d in %d ms", r.Method, u.Path, r.Status, r.Millis)
			}
		}
	})
	grantGlass(t, d2, cprs)
	var log []medplumRequest
	count := func(op string) {
		reqs := mp.requests(t)
		log = append(log, reqs...)
		byRoute := map[string]int{}
		slowest := 0
		for _, r := range reqs {
			u, _ := url.Parse(r.URL)
			byRoute[fmt.Sprintf("%s %s %d", r.Method, u.Path, r.Status)]++
			slowest = max(slowest, r.Millis)
		}
		defer t.Logf("slowest request %d ms", slowest)
		var routes []string
		for k, v := range byRoute {
			routes = append(routes, fmt.Sprintf("%s ×%d", k, v))
		}
		sort.Strings(routes)
		t.Logf("requests server=medplum op=%q ehospital=%d: %s", op, len(reqs), strings.Join(routes, ", "))
	}
	warmUp(t, d2, cprs)
	count("warm-up (3 citizens, another worklist), refusals learnt")
	for _, r := range log {
		if r.Status != http.StatusOK && r.Status != http.StatusBadRequest {
			t.Errorf("the server answered %d to %s %s", r.Status, r.Method, r.URL)
		}
	}
	learnt := len(log)
	got := runOperations(t, d2, cprs, count)
	compareAnswers(t, want, got, nil)

	var every []string
	for _, c := range sb.World().Citizens() {
		every = append(every, string(c.CPR))
	}
	for i, r := range log {
		if i >= learnt && r.Status != http.StatusOK {
			t.Errorf("the server answered %d to %s %s", r.Status, r.Method, r.URL)
		}
		if i := slices.IndexFunc(every, func(cpr string) bool { return strings.Contains(r.URL, cpr) }); i >= 0 {
			t.Fatalf("a CPR travelled in a URL: %s %s", r.Method, r.URL)
		}
	}
	if len(log) == 0 {
		t.Fatal("the gateway never asked the FHIR server")
	}
}
