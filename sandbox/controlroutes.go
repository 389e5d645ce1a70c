package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/internal/ehospital"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
)

// ControlsPrefix is where the controls live.
const ControlsPrefix = "/_sandbox"

// controlRoutes are the sandbox's own routes: never counted, delayed or
// faulted.
func (s *Sandbox) controlRoutes() []httpapi.Route {
	return []httpapi.Route{
		{Method: http.MethodGet, Pattern: ControlsPrefix, Summary: "index", Handler: s.index},
		{Method: http.MethodGet, Pattern: ControlsPrefix + "/{$}", Summary: "index", Handler: s.index},
		{Method: http.MethodGet, Pattern: ControlsPrefix + "/stats", Summary: "request statistics", Handler: s.getStats},
		{Method: http.MethodPost, Pattern: ControlsPrefix + "/stats/reset", Summary: "forget the statistics", Handler: s.resetStats},
		{Method: http.MethodGet, Pattern: ControlsPrefix + "/faults", Summary: "current faults", Handler: s.getFaults},
		{Method: http.MethodPut, Pattern: ControlsPrefix + "/faults", Summary: "replace the faults", Handler: s.putFaults},
		{Method: http.MethodDelete, Pattern: ControlsPrefix + "/faults", Summary: "clear the faults", Handler: s.deleteFaults},
		{Method: http.MethodGet, Pattern: ControlsPrefix + "/truth/gaps", Summary: "planted gaps of a cluster", Handler: s.truthGaps},
		{Method: http.MethodGet, Pattern: ControlsPrefix + "/citizens", Summary: "a sample of useful CPRs", Handler: s.citizens},
		{Method: http.MethodGet, Pattern: ControlsPrefix + "/dialect", Summary: "the FHIR dialect eHospitalet is served in", Handler: s.getDialect},
		{Method: http.MethodPut, Pattern: ControlsPrefix + "/dialect", Summary: "serve eHospitalet in another FHIR dialect", Handler: s.putDialect},
		{Method: http.MethodGet, Pattern: ControlsPrefix + "/clock", Summary: "the clock of a world that runs on", Handler: s.getClock},
		{Method: http.MethodPost, Pattern: ControlsPrefix + "/clock", Summary: "advance the clock (advance or to)", Handler: s.postClock},
	}
}

func controlFail(w http.ResponseWriter, err error) {
	e := httpapi.AsError(err)
	writeControlError(w, e.Status, e.Code, e.Message)
}

func writeControlJSON(w http.ResponseWriter, v any) {
	httpapi.WriteJSON(w, http.StatusOK, "application/json", v)
}

// isSystemKey accepts the keys of stats and faults.
func (s *Sandbox) isSystemKey(key string) bool {
	switch key {
	case controls.SystemEHospital, controls.SystemOutOfHours, controls.SystemGPReferral:
		return true
	}
	for _, m := range s.world.Municipalities() {
		if key == controls.MunicipalSystem(m.Code) {
			return true
		}
	}
	return false
}

func (s *Sandbox) getStats(w http.ResponseWriter, r *http.Request) {
	if err := httpapi.OnlyParams(r.URL.Query()); err != nil {
		controlFail(w, err)
		return
	}
	writeControlJSON(w, s.stats.Snapshot())
}

func (s *Sandbox) resetStats(w http.ResponseWriter, r *http.Request) {
	s.stats.Reset()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) getFaults(w http.ResponseWriter, r *http.Request) {
	writeControlJSON(w, s.faults.Current())
}

func (s *Sandbox) putFaults(w http.ResponseWriter, r *http.Request) {
	var set controls.Faults
	if err := httpapi.DecodeJSON(w, r, &set); err != nil {
		controlFail(w, err)
		return
	}
	if err := s.faults.Replace(set); err != nil {
		controlFail(w, httpapi.BadRequest("%v", err))
		return
	}
	s.log.Info("sandbox: faults set", "systems", len(set))
	writeControlJSON(w, s.faults.Current())
}

func (s *Sandbox) deleteFaults(w http.ResponseWriter, r *http.Request) {
	s.faults.Clear()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) getDialect(w http.ResponseWriter, r *http.Request) {
	cur := s.dialect.Current()
	out := controls.Dialect{Name: cur.Name, Description: cur.Description}
	for _, d := range ehospital.Dialects {
		out.Available = append(out.Available, controls.DialectInfo{Name: d.Name, Description: d.Description})
	}
	writeControlJSON(w, out)
}

func (s *Sandbox) putDialect(w http.ResponseWriter, r *http.Request) {
	var set controls.Dialect
	if err := httpapi.DecodeJSON(w, r, &set); err != nil {
		controlFail(w, err)
		return
	}
	if !s.dialect.Set(set.Name) {
		controlFail(w, httpapi.BadRequest("name: must be one of %s, got %q", strings.Join(ehospital.DialectNames(), ", "), set.Name))
		return
	}
	s.log.Info("sandbox: FHIR dialect set", "dialect", set.Name)
	s.getDialect(w, r)
}

func (s *Sandbox) truthGaps(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := httpapi.OnlyParams(q, "cluster", "from", "to"); err != nil {
		controlFail(w, err)
		return
	}
	id := q.Get("cluster")
	if id == "" {
		controlFail(w, httpapi.BadRequest("cluster: required, e.g. sjaelland-naestved-slagelse"))
		return
	}
	cluster, ok := s.registry.Cluster(id)
	if !ok {
		controlFail(w, httpapi.NotFound("cluster: %q is not a cluster", id))
		return
	}
	from, to, err := httpapi.ParseWindow(q.Get("from"), q.Get("to"))
	if err != nil {
		controlFail(w, err)
		return
	}
	loc := s.world.Location()
	out := controls.TruthGaps{Now: s.world.Now().In(loc), Cluster: cluster.ID, Municipalities: []int{}, Gaps: []controls.TruthGap{}}
	for _, code := range cluster.MunicipalityCodes() {
		out.Municipalities = append(out.Municipalities, int(code))
	}
	slices.Sort(out.Municipalities)
	if !from.IsZero() {
		out.From = &from
	}
	if !to.IsZero() {
		out.To = &to
	}
	for _, g := range s.world.Gaps() {
		if !slices.Contains(g.ClusterIDs, cluster.ID) || !httpapi.InWindow(g.DischargedAt, from, to) {
			continue
		}
		out.Gaps = append(out.Gaps, controls.TruthGap{
			Kind:                 string(g.Kind),
			PathwayID:            g.PathwayID,
			DischargeEncounterID: g.DischargeEncounterID,
			CPR:                  string(g.CPR),
			Municipality:         int(g.Municipality),
			ClusterIDs:           g.ClusterIDs,
			DischargedAt:         g.DischargedAt.In(loc),
			DetectedAt:           g.DetectedAt.In(loc),
		})
	}
	writeControlJSON(w, out)
}

// MaxCitizenSample bounds GET /_sandbox/citizens?sample=N.
const MaxCitizenSample = 1000

func (s *Sandbox) citizens(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := httpapi.OnlyParams(q, "sample", "with", "cluster", "for"); err != nil {
		controlFail(w, err)
		return
	}
	n := 10
	if raw := q.Get("sample"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < 1 || v > MaxCitizenSample {
			controlFail(w, httpapi.BadRequest("sample: must be an integer 1..%d, got %q", MaxCitizenSample, raw))
			return
		}
		n = v
	}
	with, client := q.Get("with"), q.Get("for")
	reason, err := s.sampleReason(with, client)
	if err != nil {
		controlFail(w, err)
		return
	}
	var members []domain.MunicipalityCode
	if id := q.Get("cluster"); id != "" {
		cluster, ok := s.registry.Cluster(id)
		if !ok {
			controlFail(w, httpapi.NotFound("cluster: %q is not a cluster", id))
			return
		}
		members = cluster.MunicipalityCodes()
	}
	var candidates []controls.CitizenSample
	for _, c := range s.world.Citizens() {
		if members != nil && !slices.Contains(members, c.Address.Municipality) {
			continue
		}
		if why := reason(c); why != "" {
			candidates = append(candidates, controls.CitizenSample{CPR: string(c.CPR), Municipality: int(c.Address.Municipality), Reason: why})
		}
	}
	out := controls.Citizens{With: with, For: client, Cluster: q.Get("cluster"), Citizens: []controls.CitizenSample{}}
	// Evenly spaced through CPR order: deterministic and spread over ages.
	for k := range min(n, len(candidates)) {
		out.Citizens = append(out.Citizens, candidates[k*len(candidates)/min(n, len(candidates))])
	}
	writeControlJSON(w, out)
}

// sampleReason combines a sample's with= kinds and its for= client: a
// citizen qualifies when every kind holds and the demo client may read
// them under klynge's default rules, without break-the-glass. At least one
// of the two must be given.
func (s *Sandbox) sampleReason(with, client string) (func(domain.Citizen) string, error) {
	if with == "" && client == "" {
		return nil, httpapi.BadRequest("with or for: give one or both, e.g. with=%s or for=%s", controls.WithDischarge, "clinician-slagelse")
	}
	kinds := func(domain.Citizen) string { return "" }
	if with != "" {
		var err error
		if kinds, err = s.reasonFor(with); err != nil {
			return nil, err
		}
	}
	if client == "" {
		return kinds, nil
	}
	if _, ok := s.oidc.Client(client); !ok {
		ids := make([]string, 0, len(s.oidc.Clients()))
		for _, c := range s.oidc.Clients() {
			ids = append(ids, c.ID)
		}
		return nil, httpapi.BadRequest("for: %q is not a demo client; one of %s", client, strings.Join(ids, ", "))
	}
	if _, _, ok := s.oidc.Reads(client, domain.Citizen{}); !ok {
		return nil, httpapi.BadRequest("for: %s reads no citizen by CPR (integrators see pseudonymised worklists, privacy officers access logs)", client)
	}
	return func(c domain.Citizen) string {
		why := ""
		if with != "" {
			if why = kinds(c); why == "" {
				return ""
			}
		}
		reads, rule, _ := s.oidc.Reads(client, c)
		if !reads {
			return ""
		}
		if why == "" {
			return rule
		}
		return why + "; " + rule
	}, nil
}

// reasonFor parses a sample's with= (one kind, or several joined by commas,
// all of which must hold) into the reason a citizen qualifies ("" if not).
func (s *Sandbox) reasonFor(with string) (func(domain.Citizen) string, error) {
	kinds := s.reasons()
	var parts []func(domain.Citizen) string
	for kind := range strings.SplitSeq(with, ",") {
		reason, ok := kinds[kind]
		if !ok {
			return nil, httpapi.BadRequest("with: must be one or more of %s, %s, %s, %s, joined by commas; got %q",
				controls.WithDischarge, controls.WithCare, controls.WithOutOfHours, controls.WithReferral, with)
		}
		parts = append(parts, reason)
	}
	return func(c domain.Citizen) string {
		whys := make([]string, 0, len(parts))
		for _, reason := range parts {
			why := reason(c)
			if why == "" {
				return ""
			}
			whys = append(whys, why)
		}
		return strings.Join(whys, "; ")
	}, nil
}

// reasons say, per sample kind, why a citizen qualifies ("" if not).
func (s *Sandbox) reasons() map[string]func(domain.Citizen) string {
	loc := s.world.Location()
	day := func(t time.Time) string { return t.In(loc).Format(time.DateOnly) }
	return map[string]func(domain.Citizen) string{
		controls.WithDischarge: func(c domain.Citizen) string {
			var last *domain.Encounter
			for _, e := range s.world.EncountersOf(c.CPR) {
				if e.Status == domain.EncounterFinished && e.Class != domain.ClassVirtual && e.Destination != domain.DischargeOtherHospital {
					last = &e
				}
			}
			if last == nil {
				return ""
			}
			return fmt.Sprintf("discharged %s to %s from %s", day(last.End), last.Destination, last.Hospital.Name)
		},
		controls.WithCare: func(c domain.Citizen) string {
			var codes []string
			for _, sv := range s.world.ServicesOf(c.CPR) {
				if sv.ActiveAt(s.world.Now()) {
					codes = append(codes, sv.Service.Code)
				}
			}
			if len(codes) == 0 {
				return ""
			}
			return fmt.Sprintf("%d active municipal services (%s)", len(codes), strings.Join(slices.Compact(slices.Sorted(slices.Values(codes))), ", "))
		},
		controls.WithOutOfHours: func(c domain.Citizen) string {
			contacts := s.world.OutOfHoursOf(c.CPR)
			if len(contacts) == 0 {
				return ""
			}
			last := contacts[len(contacts)-1]
			return fmt.Sprintf("%d out-of-hours contacts, last %s (%s)", len(contacts), day(last.ReceivedAt), last.Outcome)
		},
		controls.WithReferral: func(c domain.Citizen) string {
			refs := s.world.ReferralsOf(c.CPR)
			if len(refs) == 0 {
				return ""
			}
			last := refs[len(refs)-1]
			return fmt.Sprintf("%d GP referrals, last %s %s", len(refs), last.Kind, last.Status())
		},
	}
}

func (s *Sandbox) index(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	root := scheme + "://" + r.Host
	urls := URLs(root)
	out := controls.Index{Now: s.world.Now().In(s.world.Location()), Population: s.cfg.Population, Seed: s.cfg.Seed}
	baseOf := map[string]string{
		"ehospital":  urls.EHospitalFHIR,
		"outofhours": urls.OutOfHours,
		"gpreferral": urls.GPReferral,
		"municipal":  urls.MunicipalRoot + "/{code}/api",
	}
	for _, sys := range s.systems {
		si := controls.SystemIndex{Name: sys.Name, BaseURL: baseOf[sys.Name], OpenAPI: root + sys.Prefix + "/openapi.json"}
		for _, rt := range sys.Routes {
			si.Routes = append(si.Routes, rt.Key())
		}
		if sys.Name == "municipal" {
			for _, m := range s.world.Municipalities() {
				si.Instances = append(si.Instances, int(m.Code))
			}
		}
		out.Systems = append(out.Systems, si)
	}
	for _, rt := range s.controlRoutes() {
		out.Controls = append(out.Controls, rt.Key())
	}
	writeControlJSON(w, out)
}
