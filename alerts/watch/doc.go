// Package watch finds handover alerts as they happen. The upstreams do not
// push, so one watcher per cluster (among all replicas: the event log's
// Lead decides which replica) reads what changed since its last read — FHIR
// _lastUpdated on eHospitalet's encounters, each member municipality's
// change feed, the GP referral feed's cursor — reassesses the pathways of
// the citizens touched with pathway's rules, and appends the alerts they
// owe (alerts.Detect) to the event log. Deadlines fire from timers set at
// each open deadline's warning and due times, not from polling. Sources
// without a change feed (Lægevagten) are read when a touched or timed
// citizen is reassessed, and by a slow sweep of the open pathways.
//
// Every read by key goes through a fresh set of loaders per cycle, so a
// cycle's N citizens cost one request per upstream instance per chunk. A
// watcher keeps its read positions in the event log's store, so the next
// leader starts where it stopped; because alerts are keyed, reading a
// stretch twice announces nothing twice.
package watch
