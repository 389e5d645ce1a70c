// Package alerts turns pathway assessments into handover alerts: a citizen
// with active municipal care admitted, a discharge, a gap detected, a
// deadline approaching, a gap resolved. It holds the alert vocabulary
// (Event, Kind), the rules that decide which alerts a pathway's assessment
// owes (Detect), the contract of the durable event log every replica reads
// (Store), and the per-replica fan-out to subscribers with bounded buffers
// (Hub).
//
// It decides nothing about access: an Event carries the facts the access
// rules need (who the citizen's GP is, where they live, their encounters,
// services and out-of-hours contacts at detection), and package gate
// decides per subscriber before anything is sent. It does no HTTP and reads
// no upstream; alerts/watch does, through the connectors and loaders.
//
// Events are keyed: the same change of the same pathway always gets the
// same key, and a store keeps one event per cluster and key. So a watcher
// that starts over, or two that briefly overlap while leadership moves
// between replicas, never emit an alert twice.
package alerts
