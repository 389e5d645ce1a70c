// Package audit is klynge's access log: the one place where it is kept who
// saw which citizen's data, when, why and from which systems, plus the
// break-the-glass grants that a privacy officer reviews.
//
// Every operation that discloses a citizen's data appends records with
// [Log.Append] before the response leaves. Append returns only once the
// records are durably committed, so a caller that gets an error must return
// no data (fail closed). Concurrent appends are coalesced by one writer
// goroutine into one transaction (group commit), so the log is not the
// bottleneck of a busy gateway.
//
// The log is tamper-evident: each record carries the SHA-256 of its
// predecessor's hash and its own canonical encoding (see [RecordHash]), and a
// one-row chain head seals the last sequence number and hash. [Log.Verify]
// names the first record whose hash, link or sequence number is wrong. What
// that does and does not detect is written beside [Log.Verify].
//
// Two stores share one behaviour, each in its own package so that a binary
// links only the database it uses: audit/sqlite (embedded, pure Go, WAL,
// synchronous=FULL) for one process, and audit/postgres for several gateway
// replicas sharing one global chain. They implement [Store]; the tests in
// this package run every behaviour against both.
//
// The package must not log what it stores: records hold CPR numbers, so no
// record, CPR or reason is ever written to a log line or an error message.
// It decides nothing about who may see what; that is package access.
package audit
