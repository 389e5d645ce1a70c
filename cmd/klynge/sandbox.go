package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/population"
)

// sandboxFlags are shared by `sandbox` and `demo`.
type sandboxFlags struct {
	population   int
	seed         int64
	now          string
	latency      time.Duration
	exactLatency bool
	dialect      string
	speed        float64
	horizon      time.Duration
}

// registerRun adds the flags of a world that runs on.
func (f *sandboxFlags) registerRun(fs *flag.FlagSet, defaultSpeed float64) {
	fs.Float64Var(&f.speed, "speed", defaultSpeed, "simulated seconds per real second: the world runs on from -now (600: ten hours a minute); 0 freezes it at -now (and turns alerts off: nothing happens)")
	fs.DurationVar(&f.horizon, "horizon", 0, "how far ahead the world's timeline is generated (default 720h when -speed is set; with -speed 0, a horizon lets POST /_sandbox/clock move time)")
}

func (f *sandboxFlags) register(fs *flag.FlagSet, defaultLatency time.Duration) {
	fs.IntVar(&f.population, "population", 20000, "number of synthetic citizens")
	fs.Int64Var(&f.seed, "seed", 1, "seed of the synthetic population (same seed and -now give byte-identical answers)")
	fs.StringVar(&f.now, "now", "", "the sandbox's present, RFC 3339 (default: now, truncated to the hour)")
	fs.DurationVar(&f.latency, "latency", defaultLatency, "base latency (with up to 50% jitter) added to every upstream answer")
	fs.BoolVar(&f.exactLatency, "exact-latency", false, "no jitter: every upstream answer waits exactly -latency")
	fs.StringVar(&f.dialect, "fhir-dialect", "ehospital", "the FHIR server dialect eHospitalet speaks: "+strings.Join(sandbox.DialectNames(), ", ")+" (docs/CONNECTING.md; PUT /_sandbox/dialect changes it)")
}

func (f *sandboxFlags) config(logOut io.Writer) (sandbox.Config, error) {
	cfg := sandbox.Config{Population: f.population, Seed: f.seed, Latency: f.latency, ExactLatency: f.exactLatency, FHIRDialect: f.dialect, Logger: newLogger(logOut),
		Speed: f.speed, Horizon: f.horizon}
	if cfg.Speed > 0 && cfg.Horizon == 0 {
		cfg.Horizon = 30 * 24 * time.Hour
	}
	if f.speed < 0 || f.horizon < 0 {
		return cfg, usageError{"-speed and -horizon: must not be negative"}
	}
	if !slices.Contains(sandbox.DialectNames(), f.dialect) {
		return cfg, usageError{fmt.Sprintf("-fhir-dialect %q: must be one of %s", f.dialect, strings.Join(sandbox.DialectNames(), ", "))}
	}
	if f.population < 17 || f.population > 2_000_000 {
		return cfg, usageError{fmt.Sprintf("-population %d: must be between 17 (one citizen per municipality) and 2000000", f.population)}
	}
	if f.latency < 0 {
		return cfg, usageError{"-latency: must not be negative"}
	}
	if f.now != "" {
		t, err := time.Parse(time.RFC3339, f.now)
		if err != nil {
			return cfg, usageError{fmt.Sprintf("-now %q: must be RFC 3339, e.g. 2026-11-22T12:00:00Z", f.now)}
		}
		cfg.Now = t
	}
	return cfg, nil
}

// runSandbox serves the simulated upstream systems alone, so that a gateway
// started with `serve` can be pointed at them like at production systems.
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8081", "listen address")
	report := fs.Bool("report", false, "print the world's distributions next to the published Danish figures they are calibrated to, and exit")
	var sf sandboxFlags
	sf.register(fs, 0)
	sf.registerRun(fs, 0)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	cfg, err := sf.config(stderr)
	if err != nil {
		return err
	}
	sb, err := sandbox.New(cfg)
	if err != nil {
		return err
	}
	if *report {
		// The world says what it was generated from: the sandbox fills in
		// what the flags left at zero (seed 0 is the default seed).
		w := sb.World()
		fmt.Fprintf(stdout, "sandbox world: %d citizens, seed %d, now %s\n", len(w.Citizens()), w.Seed(), w.Now().Format(time.RFC3339))
		figs := w.Report()
		if err := population.WriteReport(stdout, figs); err != nil {
			return err
		}
		for _, f := range figs {
			if !f.OK {
				return fmt.Errorf("sandbox report: %s is out of its published range (%s)", f.Name, f.World)
			}
		}
		return nil
	}
	l, err := listen("sandbox", *addr, sb.Handler(), cfg.Logger)
	if err != nil {
		return err
	}
	printSandboxURLs(stdout, l.URL(), sb)
	fmt.Fprintf(stdout, "ready: %s/_sandbox/\n", l.URL())
	return serveAll(ctx, l)
}

func printSandboxURLs(w io.Writer, root string, sb *sandbox.Sandbox) {
	u := sandbox.URLs(root)
	fmt.Fprintf(w, "sandbox now:  %s\n", sb.Now().Format(time.RFC3339))
	fmt.Fprintf(w, "ehospital:    %s (FHIR dialect %s)\n", u.EHospitalFHIR, sb.Dialect())
	fmt.Fprintf(w, "outofhours:   %s\n", u.OutOfHours)
	fmt.Fprintf(w, "municipal:    %s/{code}/api\n", u.MunicipalRoot)
	fmt.Fprintf(w, "gpreferral:   %s\n", u.GPReferral)
	fmt.Fprintf(w, "controls:     %s\n", u.Controls)
}
