package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
	"github.com/sundhedsklynge/klynge/sandbox/internal/openapi"
	"github.com/sundhedsklynge/klynge/sandbox/internal/traffic"
)

// assemble registers every system's routes (plus its OpenAPI document) and
// the controls on one mux, behind a recoverer and answers in each system's
// own error format for paths and methods no route serves.
func (s *Sandbox) assemble() (http.Handler, error) {
	gate := traffic.NewGate(s.stats, s.faults, s.cfg.Latency, s.cfg.ExactLatency, s.cfg.Seed, s.log)
	mux := http.NewServeMux()
	for i := range s.systems {
		sys := &s.systems[i]
		doc := new([]byte)
		sys.Routes = append(sys.Routes, openAPIRoute(sys.Prefix, doc))
		b, err := json.MarshalIndent(openapi.Build(*sys), "", "  ")
		if err != nil {
			return nil, fmt.Errorf("sandbox: OpenAPI document of %s: %w", sys.Name, err)
		}
		*doc = append(b, '\n')
		for _, rt := range sys.Routes {
			h := gate.Route(*sys, rt)
			if rt.Direct {
				h = rt.Handler
			}
			mux.Handle(rt.Method+" "+rt.Pattern, h)
			s.registered = append(s.registered, rt.Method+" "+rt.Pattern)
		}
	}
	for _, rt := range s.controlRoutes() {
		mux.Handle(rt.Method+" "+rt.Pattern, rt.Handler)
	}
	mux.Handle("/oidc/", s.oidc.Handler())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer s.recoverTo(w, r)
		if _, pattern := mux.Handler(r); pattern == "" {
			s.unrouted(w, r, mux)
			return
		}
		mux.ServeHTTP(w, r)
	}), nil
}

// openAPIRoute serves a system's OpenAPI document from doc, which assemble
// fills once the route has joined the table, so the document describes
// itself too.
func openAPIRoute(prefix string, doc *[]byte) httpapi.Route {
	return httpapi.Route{
		Method:      http.MethodGet,
		Pattern:     prefix + "/openapi.json",
		OperationID: "openapi",
		Summary:     "This OpenAPI document",
		Responses:   []httpapi.Response{{Status: 200, Description: "OpenAPI 3 document", ContentType: "application/json", Schema: map[string]any{}}},
		Direct:      true,
		Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(*doc)
		},
	}
}

// unrouted answers what the mux would answer (404, or 405 with Allow) in the
// format of the system the path belongs to.
func (s *Sandbox) unrouted(w http.ResponseWriter, r *http.Request, mux *http.ServeMux) {
	h, _ := mux.Handler(r)
	probe := &statusProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	writeError := s.errorWriterFor(r.URL.Path)
	if probe.status == http.StatusMethodNotAllowed {
		allow := probe.header.Get("Allow")
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", fmt.Sprintf("%s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, allow))
		return
	}
	writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path))
}

func (s *Sandbox) errorWriterFor(path string) func(http.ResponseWriter, int, string, string) {
	for _, sys := range s.systems {
		if path == sys.Prefix || strings.HasPrefix(path, sys.Prefix+"/") {
			return sys.WriteError
		}
	}
	return writeControlError
}

func writeControlError(w http.ResponseWriter, status int, code, message string) {
	httpapi.WriteJSON(w, status, "application/json", controls.Error{Error: code, Message: message})
}

// recoverTo turns a panic outside the systems' handlers into a 500.
func (s *Sandbox) recoverTo(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	s.log.Error("sandbox: panic", "method", r.Method, "panic_type", fmt.Sprintf("%T", v))
	s.errorWriterFor(r.URL.Path)(w, http.StatusInternalServerError, "internal", "internal error")
}

// statusProbe records what the mux's own 404/405 handler would answer.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header { return p.header }
func (p *statusProbe) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}
func (p *statusProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}
