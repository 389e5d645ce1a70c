// Package resolvers holds klynge's GraphQL field resolvers. They are thin
// adapters: arguments → access check (package gate) → loaders → mapping. They never do HTTP
// (loaders and connectors do) and never call each other; shared code lives in
// plain files beside the generated *.resolvers.go files, which gqlgen
// rewrites.
package resolvers

import (
	"time"

	"github.com/sundhedsklynge/klynge/alerts"
	"github.com/sundhedsklynge/klynge/pathway"
	"github.com/sundhedsklynge/klynge/registry"
)

// Resolver is the root resolver. Its fields are the gateway's dependencies,
// built in cmd/klynge and never stored in package state.
type Resolver struct {
	Registry *registry.Registry
	Version  string
	// ClassifyUpstream names the system and error code of an upstream
	// failure (connectors/upstream.Classify), for Citizen.sources.
	ClassifyUpstream func(err error) (system, code string, ok bool)
	// Pathways are the handover rule sets, per cluster; the zero value means
	// pathway.DefaultRules everywhere.
	Pathways pathway.RuleBook
	// Alerts fans the alerts' event log out to this replica's subscribers
	// (Subscription.handoverAlerts); nil refuses subscriptions.
	Alerts *alerts.Hub
	// Clock is the gateway's clock for decisions made outside an
	// operation's loaders (an alert's delivery); nil means time.Now.
	Clock func() time.Time
}
