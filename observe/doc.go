// Package observe is how operators see the gateway at work: Prometheus
// metrics per GraphQL operation and per loader batch, OpenTelemetry spans
// for each operation, each loader batch and each upstream call (linked
// parent to child), and request and trace ids on every log line.
//
// What it records is chosen so that nothing identifies a citizen: operation
// names (only known ones; the rest are "other"), operation types, loader and system names, key
// counts, error codes, HTTP methods and statuses, durations. It must never
// record variables, documents, URLs with their queries, error messages,
// CPR numbers, names or anything else an upstream answered.
package observe
