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
// The log is tamper-evident against whoever can write its database but does
// not hold the chain key (a secret kept outside the database, [Keys]): each
// record carries its predecessor's seal and its own, an HMAC-SHA256 of its
// canonical encoding under the key ([ChainKey.RecordHash]), and a one-row
// chain head names the last record. The break-the-glass grant register,
// which decides access, is under the same seal: each grant carries the seal
// of its state ([ChainKey.GrantHash]), and every grant change is written in
// one transaction with the record that attests that seal
// ([Log.CommitGrants]), so the chain says what the register must hold.
// Checkpoints of the head ([Checkpoint]), written to a file outside the
// database, show records cut off at the end. [Log.VerifyWith] names the
// first record, grant or checkpoint that is wrong; what it does and does not
// detect is written beside it.
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
