package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/sundhedsklynge/klynge/connectors/ehospital"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// runUpstreams is `klynge upstreams check`: it reads the FHIR server's
// CapabilityStatement (and, with -probe, asks it about each feature with
// searches that match nothing and carry no CPR), prints what klynge will
// use and what it falls back from, and fails when klynge cannot read the
// server at all (docs/CONNECTING.md).
func runUpstreams(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return usageError{"usage: klynge upstreams check [-config klynge.yaml] [-probe]"}
	}
	fs := flag.NewFlagSet("upstreams check", flag.ContinueOnError)
	path := fs.String("config", "klynge.yaml", "configuration file (YAML); KLYNGE_... environment variables override it")
	probe := fs.Bool("probe", false, "also ask the server about each feature with a search that matches nothing (no CPR is sent)")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	cfg, err := loadConfig(*path, os.Environ())
	if err != nil {
		return err
	}
	logger := newLoggerAt(stderr, "warn")
	o := upstreamOptions("ehospital", cfg.Upstreams.EHospital.Upstream, nil, logger)
	o.PublicBaseURL = cfg.Upstreams.EHospital.PublicBaseURL
	up, err := upstream.New(o)
	if err != nil {
		return err
	}
	defer up.Close()
	c, err := newEHospital(up, cfg.Upstreams.EHospital, logger)
	if err != nil {
		return err
	}
	caps, discoverErr := c.Discover(ctx)
	var probeErr error
	if *probe {
		caps, probeErr = c.Probe(ctx)
	}
	fmt.Fprintf(stdout, "ehospital  %s\n", up.BaseURL().Redacted())
	if discoverErr != nil {
		fmt.Fprintf(stdout, "  CapabilityStatement: not read (%v); klynge tries every feature and falls back from those refused\n", discoverErr)
	} else {
		fmt.Fprintf(stdout, "  CapabilityStatement: read (%s, FHIR %s)\n", orUnknown(caps.Software), orUnknown(caps.FHIRVersion))
	}
	if probeErr != nil {
		fmt.Fprintf(stdout, "  probe: failed (%v)\n", probeErr)
	}
	printFeatures(stdout, caps, *probe)
	return verdict(stdout, caps, errors.Join(discoverErr, probeErr))
}

func printFeatures(w io.Writer, caps ehospital.Capabilities, probed bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  FEATURE\tDECLARED\tREFUSED\tUSED\tWITHOUT IT, KLYNGE WILL")
	for _, s := range caps.Report() {
		refused := "-"
		switch {
		case s.Refused != "":
			refused = s.Refused
		case probed:
			refused = "no"
		}
		used, fallback := "yes", ""
		if !s.Used {
			used, fallback = "no", s.Fallback
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", s.Feature, s.Declared, refused, used, fallback)
	}
	tw.Flush()
}

// verdict says whether klynge can read the server; an error when it
// cannot find patients by CPR, their encounters or their notifications.
func verdict(w io.Writer, caps ehospital.Capabilities, checkErr error) error {
	var missing []string
	if !caps.Uses(ehospital.FeaturePatientIdentifier) {
		missing = append(missing, "patients by CPR (Patient?identifier)")
	}
	if !caps.Uses(ehospital.FeatureChain) && !caps.Uses(ehospital.FeaturePatientReference) {
		missing = append(missing, "encounters by patient (Encounter?patient or patient.identifier)")
	}
	if !caps.Uses(ehospital.FeatureRevInclude) && !caps.Uses(ehospital.FeatureProvenanceTarget) {
		missing = append(missing, "HospitalNotifications (Provenance by target or _revinclude)")
	}
	var without []string
	for _, s := range caps.Report() {
		if !s.Used {
			without = append(without, string(s.Feature))
		}
	}
	switch {
	case len(missing) > 0:
		fmt.Fprintf(w, "  verdict: klynge cannot read this server: no %s\n", strings.Join(missing, ", no "))
		return fmt.Errorf("ehospital: the server lacks what klynge needs: %s", strings.Join(missing, "; "))
	case checkErr != nil:
		fmt.Fprintln(w, "  verdict: unknown (the server did not answer as a FHIR server)")
		return checkErr
	case len(without) > 0:
		fmt.Fprintf(w, "  verdict: klynge can read this server, falling back from %d features: %s\n", len(without), strings.Join(without, ", "))
	default:
		fmt.Fprintln(w, "  verdict: klynge can read this server with every feature")
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "software not named"
	}
	return s
}
