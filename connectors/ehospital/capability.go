package ehospital

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// Feature is a FHIR search feature the connector uses when the server has
// it, each with a strategy to fall back on when it has not.
type Feature string

// The features, named as a request shows them.
const (
	// FeaturePatientIdentifier is required: klynge finds patients by CPR.
	FeaturePatientIdentifier Feature = "Patient?identifier"
	// FeatureChain finds a list of citizens' encounters in one search.
	// Fallback: find the patients first, then Encounter?patient=Patient/id.
	FeatureChain Feature = "Encounter?patient.identifier"
	// FeaturePatientReference is needed by the FeatureChain fallback.
	FeaturePatientReference Feature = "Encounter?patient"
	// FeatureMunicipality is eHospitalet's custom chained parameter for the
	// worklist. Fallback: search without it, read each stay's patient
	// (_include or Patient?_id) and filter by the address's municipality.
	FeatureMunicipality Feature = "Encounter?patient.municipality"
	// FeatureClass asks for the encounter classes klynge models. Fallback:
	// filter them after reading.
	FeatureClass Feature = "Encounter?class"
	// FeatureRevInclude brings each encounter's HospitalNotifications in the
	// same search. Fallback: Provenance?target=Encounter/id in batches.
	FeatureRevInclude Feature = "Encounter?_revinclude=Provenance:target"
	// FeatureInclude brings each encounter's patient in the same search,
	// for subjects that are only a reference. Fallback: Patient?_id.
	FeatureInclude Feature = "Encounter?_include=Encounter:patient"
	// FeatureProvenanceTarget is needed by the FeatureRevInclude fallback.
	FeatureProvenanceTarget Feature = "Provenance?target"
)

// Features lists every feature in the order reports show them.
var Features = []Feature{
	FeaturePatientIdentifier, FeatureChain, FeaturePatientReference, FeatureMunicipality,
	FeatureClass, FeatureRevInclude, FeatureInclude, FeatureProvenanceTarget,
}

// fallbacks say, per feature, what klynge does without it.
var fallbacks = map[Feature]string{
	FeaturePatientIdentifier: "none: patients cannot be found by CPR",
	FeatureChain:             "Patient?identifier first, then Encounter?patient=Patient/id (one more request per batch)",
	FeaturePatientReference:  "none when patient.identifier is refused too",
	FeatureMunicipality:      "search the region's stays and keep those whose patient lives in the asked municipalities (more pages)",
	FeatureClass:             "read every class and keep IMP, EMER, VR, HH",
	FeatureRevInclude:        "Provenance?target=Encounter/id in batches (one more request per page of encounters)",
	FeatureInclude:           "Patient?_id for subjects given only as a reference (one more request per page)",
	FeatureProvenanceTarget:  "none when _revinclude is refused too: notifications cannot be read",
}

// Declared is what a CapabilityStatement says of a feature.
type Declared string

// The values of Declared.
const (
	// DeclaredYes: the statement lists it.
	DeclaredYes Declared = "yes"
	// DeclaredNo: the statement lists what the resource supports, and it
	// is not among them.
	DeclaredNo Declared = "no"
	// DeclaredAssumed: the statement does not say (R4 has no place to
	// declare chaining; many servers list no includes); klynge tries it.
	DeclaredAssumed Declared = "assumed"
)

// Capabilities is what klynge knows of the server's FHIR search support.
type Capabilities struct {
	// ReadAt is when the CapabilityStatement was last read; zero if never.
	ReadAt      time.Time
	Software    string
	FHIRVersion string
	// Err is why the last reading failed; nil after a success.
	Err error
	// Declared is what the statement says of each feature; every feature
	// is DeclaredAssumed until a statement is read.
	Declared map[Feature]Declared
	// Refused are the features the server answered 400 to since the
	// statement was read, with the parameter it named.
	Refused map[Feature]string
	// include is the _include value to send (Encounter:patient unless the
	// server lists only Encounter:subject).
	include string
}

// Include is the _include value klynge sends for an encounter's patient.
func (c Capabilities) Include() string {
	if c.include == "" {
		return fhir.IncludePatient
	}
	return c.include
}

// Uses reports whether klynge uses f: declared or assumed, and not refused.
func (c Capabilities) Uses(f Feature) bool {
	d := c.Declared[f]
	_, refused := c.Refused[f]
	return d != DeclaredNo && !refused
}

// FeatureStatus is one line of a capability report.
type FeatureStatus struct {
	Feature  Feature
	Declared Declared
	// Refused is the parameter the server refused ("" if it did not).
	Refused string
	Used    bool
	// Fallback is what klynge does when it does not use the feature.
	Fallback string
}

// Report lists every feature: declared, refused, used, and the fallback.
func (c Capabilities) Report() []FeatureStatus {
	out := make([]FeatureStatus, 0, len(Features))
	for _, f := range Features {
		out = append(out, FeatureStatus{Feature: f, Declared: c.Declared[f], Refused: c.Refused[f], Used: c.Uses(f), Fallback: fallbacks[f]})
	}
	return out
}

// capState holds the client's current Capabilities.
type capState struct {
	mu  sync.Mutex
	cur Capabilities
	// first is closed when the first reading Watch started has ended;
	// nil when nothing watches.
	first chan struct{}
}

func newCapState() *capState {
	s := &capState{cur: Capabilities{Declared: map[Feature]Declared{}, Refused: map[Feature]string{}}}
	for _, f := range Features {
		s.cur.Declared[f] = DeclaredAssumed
	}
	return s
}

// Capabilities is a copy of what the client currently knows.
func (c *Client) Capabilities() Capabilities {
	c.caps.mu.Lock()
	defer c.caps.mu.Unlock()
	cur := c.caps.cur
	cur.Declared = cloneMap(cur.Declared)
	cur.Refused = cloneMap(cur.Refused)
	return cur
}

func cloneMap[V any](m map[Feature]V) map[Feature]V {
	out := make(map[Feature]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Watch reads the server's CapabilityStatement now, in the background, and
// again every refresh (each reading bounded by timeout), until stop is
// called; stop waits for a reading in progress. Searches that begin before
// the first reading has ended wait for it, so that they already use what
// the server declares.
func (c *Client) Watch(ctx context.Context, refresh, timeout time.Duration) (stop func()) {
	first := make(chan struct{})
	c.caps.mu.Lock()
	c.caps.first = first
	c.caps.mu.Unlock()
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	discover := func() {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		_, _ = c.Discover(ctx) // a failure is logged and kept in Capabilities.Err
	}
	wg.Go(func() {
		discover()
		close(first)
		t := time.NewTicker(refresh)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				discover()
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// awaitFirstReading waits for the first reading Watch started, if any.
func (c *Client) awaitFirstReading(ctx context.Context) {
	c.caps.mu.Lock()
	first := c.caps.first
	c.caps.mu.Unlock()
	if first == nil {
		return
	}
	select {
	case <-first:
	case <-ctx.Done():
	}
}

// Discover reads the server's CapabilityStatement ([base]/metadata) and
// forgets earlier refusals, so that a server upgraded since is tried
// again. On failure the client keeps what it knew and the error is kept in
// Capabilities.Err. It logs the features it will not use.
func (c *Client) Discover(ctx context.Context) (Capabilities, error) {
	const op = "capabilities"
	var cs fhir.CapabilityStatement
	_, err := c.up.Do(ctx, upstream.Request{Op: op, Method: http.MethodGet, Path: "metadata", Accept: fhir.ContentType,
		Header: http.Header{upstream.ProbeHeader: []string{"capabilities"}},
		Decode: func(body []byte) error {
			if err := upstream.DecodeJSON(c.up.System(), op, body, &cs); err != nil {
				return err
			}
			if cs.ResourceType != "CapabilityStatement" {
				return &upstream.DecodeError{System: c.up.System(), Op: op, Field: "resourceType", Err: errString("must be CapabilityStatement")}
			}
			return nil
		}})
	c.caps.mu.Lock()
	if err != nil {
		c.caps.cur.Err = err
		c.caps.mu.Unlock()
		c.opts.Logger.Warn("ehospital: capability statement not read; trying every feature", "system", c.up.System(), "err", err)
		return c.Capabilities(), err
	}
	c.caps.cur = Capabilities{ReadAt: time.Now(), FHIRVersion: cs.FHIRVersion, Declared: declared(cs), Refused: map[Feature]string{}, include: includeValue(cs)}
	if cs.Software != nil {
		c.caps.cur.Software = strings.TrimSpace(cs.Software.Name + " " + cs.Software.Version)
	}
	c.caps.mu.Unlock()
	caps := c.Capabilities()
	for _, f := range Features {
		if !caps.Uses(f) {
			c.opts.Logger.Info("ehospital: server does not declare a search feature; falling back", "system", c.up.System(),
				"feature", string(f), "fallback", fallbacks[f])
		}
	}
	return caps, nil
}

type errString string

func (e errString) Error() string { return string(e) }

// declared reads what the statement says of each feature.
func declared(cs fhir.CapabilityStatement) map[Feature]Declared {
	var rest *fhir.CapabilityRest
	for i := range cs.Rest {
		if cs.Rest[i].Mode == "server" || cs.Rest[i].Mode == "" {
			rest = &cs.Rest[i]
			break
		}
	}
	res := func(name string) *fhir.CapabilityResource {
		if rest == nil {
			return nil
		}
		for i := range rest.Resource {
			if rest.Resource[i].Type == name {
				return &rest.Resource[i]
			}
		}
		return nil
	}
	patient, encounter, provenance := res("Patient"), res("Encounter"), res("Provenance")
	yesNo := func(ok bool) Declared {
		if ok {
			return DeclaredYes
		}
		return DeclaredNo
	}
	out := map[Feature]Declared{
		FeaturePatientIdentifier: yesNo(hasParam(patient, fhir.ParamIdentifier)),
		FeaturePatientReference:  yesNo(hasParam(encounter, fhir.ParamPatient) || hasParam(encounter, fhir.ParamSubject)),
		FeatureClass:             yesNo(hasParam(encounter, fhir.ParamClass)),
		FeatureProvenanceTarget:  yesNo(hasParam(provenance, fhir.ParamTarget)),
	}
	// R4 has no place to declare chaining: a server that can search
	// Encounter by patient and Patient by identifier is assumed to chain.
	switch {
	case hasParam(encounter, fhir.ParamPatientIdentifier):
		out[FeatureChain] = DeclaredYes
	case out[FeaturePatientReference] == DeclaredYes && out[FeaturePatientIdentifier] == DeclaredYes:
		out[FeatureChain] = DeclaredAssumed
	default:
		out[FeatureChain] = DeclaredNo
	}
	out[FeatureMunicipality] = yesNo(hasParam(encounter, fhir.ParamPatientMunicipality) ||
		(hasParam(patient, "municipality") && out[FeaturePatientReference] == DeclaredYes))
	var revIncludes, includeList []string
	if encounter != nil {
		revIncludes, includeList = encounter.SearchRevInclude, encounter.SearchInclude
	}
	out[FeatureRevInclude] = includes(encounter, revIncludes, fhir.RevIncludeProvenance)
	out[FeatureInclude] = includes(encounter, includeList, fhir.IncludePatient, fhir.IncludeSubject)
	return out
}

// includeValue is Encounter:subject when the server lists it and not
// Encounter:patient; otherwise Encounter:patient.
func includeValue(cs fhir.CapabilityStatement) string {
	for _, rest := range cs.Rest {
		for _, r := range rest.Resource {
			if r.Type == "Encounter" && slices.Contains(r.SearchInclude, fhir.IncludeSubject) && !slices.Contains(r.SearchInclude, fhir.IncludePatient) {
				return fhir.IncludeSubject
			}
		}
	}
	return fhir.IncludePatient
}

// includes judges an include: a resource that lists includes of either
// kind lists all it supports; one that lists none leaves it open.
func includes(r *fhir.CapabilityResource, list []string, want ...string) Declared {
	if r == nil {
		return DeclaredNo
	}
	if len(r.SearchInclude) == 0 && len(r.SearchRevInclude) == 0 {
		return DeclaredAssumed
	}
	for _, w := range want {
		if slices.Contains(list, w) || slices.Contains(list, "*") {
			return DeclaredYes
		}
	}
	return DeclaredNo
}

func hasParam(r *fhir.CapabilityResource, name string) bool {
	if r == nil {
		return false
	}
	return slices.ContainsFunc(r.SearchParam, func(p fhir.CapabilitySearchParam) bool { return p.Name == name })
}

// refuse records that the server refused f (naming param) and logs the
// fallback once; the parameter is the operator's, never the client's.
func (c *Client) refuse(f Feature, param string) {
	c.caps.mu.Lock()
	_, already := c.caps.cur.Refused[f]
	c.caps.cur.Refused[f] = param
	c.caps.mu.Unlock()
	if !already {
		c.opts.Logger.Warn("ehospital: server refused a search parameter; falling back", "system", c.up.System(),
			"parameter", param, "feature", string(f), "fallback", fallbacks[f])
	}
}

// probeID is a logical id no server holds: probes match nothing and carry
// no CPR.
const probeID = "klynge-capability-probe"

// Probe asks the server, with searches that match nothing and carry no
// CPR, whether it takes each optional feature, and records those it
// refuses (as a real search would). It is for `klynge upstreams check
// -probe`: a CapabilityStatement may promise what the server refuses.
func (c *Client) Probe(ctx context.Context) (Capabilities, error) {
	// Identifiers of a system no one uses: nothing matches, no CPR is
	// sent, and no server validates them as CPR numbers.
	const probeSystem = "urn:klynge:capability-probe"
	probes := []struct {
		f        Feature
		resource string
		param    string
		value    string
	}{
		{FeaturePatientIdentifier, "Patient", fhir.ParamIdentifier, probeSystem + "|" + probeID},
		{FeaturePatientReference, "Encounter", fhir.ParamPatient, "Patient/" + probeID},
		{FeatureChain, "Encounter", fhir.ParamPatientIdentifier, probeSystem + "|" + probeID},
		{FeatureMunicipality, "Encounter", fhir.ParamPatientMunicipality, "0101"},
		{FeatureClass, "Encounter", fhir.ParamClass, "IMP"},
		{FeatureRevInclude, "Encounter", fhir.ParamRevInclude, fhir.RevIncludeProvenance},
		{FeatureInclude, "Encounter", fhir.ParamInclude, c.Capabilities().Include()},
		{FeatureProvenanceTarget, "Provenance", fhir.ParamTarget, "Encounter/" + probeID},
	}
	for _, p := range probes {
		params := url.Values{p.param: {p.value}}
		switch {
		case p.resource == "Encounter" && p.param != fhir.ParamPatient && p.param != fhir.ParamPatientIdentifier:
			params.Set(fhir.ParamPatient, "Patient/"+probeID) // so that nothing matches
		case p.resource == "Patient":
			params.Set(fhir.ParamID, probeID)
		}
		err := c.search(ctx, query{op: "capability_probe", resource: p.resource, params: params}, func(*page) error { return nil })
		if f, param, ok := refusedFeature(err, withRequired(params, []optional{{p.param, p.f}, {p.value, p.f}})); ok && f != "" {
			c.refuse(f, param)
			continue
		}
		if err != nil {
			return c.Capabilities(), fmt.Errorf("ehospital: probe %s: %w", p.f, err)
		}
	}
	return c.Capabilities(), nil
}
