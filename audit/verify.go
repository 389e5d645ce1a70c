package audit

import (
	"context"
	"errors"
	"fmt"
)

// VerifyReport is the result of checking the whole chain.
type VerifyReport struct {
	Records int64 // records read, up to and including FirstBroken
	OK      bool
	// FirstBroken is the Seq of the first record whose sequence number,
	// link or hash is wrong (0 when OK). For missing records it is the Seq
	// of the record after the gap, or, when the end of the log is missing,
	// the first Seq the chain head says should be there.
	FirstBroken int64
	Problem     string // what is wrong with FirstBroken, for people; names no citizen
	// HeadSeq and HeadHash are the sealed end of the chain as stored.
	// Keeping them somewhere the database's administrators cannot write
	// (a ticket, a signed report) lets a later Verify detect a log that was
	// rewritten wholesale, which the chain alone cannot.
	HeadSeq  int64
	HeadHash string
}

// Verify reads the whole log in one consistent snapshot and checks that the
// records are numbered 1, 2, 3, … without gaps, that each links to the hash
// of the one before (the first to GenesisHash), that each one's hash matches
// its content, and that the last record is the one the chain head sealed.
// It names the first record that fails.
//
// What it detects: a changed byte in any column of any record (its hash no
// longer matches, or the next record's link does not); a deleted record in
// the middle (a gap in Seq); deleted records at the end (the chain head
// says the log is longer); records added outside the log (the chain head
// says it is shorter); a record moved to another Seq (a gap where it was).
//
// What it cannot detect: someone who can write to the database and who
// recomputes every hash from the point of change onwards and updates the
// chain head, since the hashes involve no secret. Defences against that
// live outside the database: keep HeadSeq and HeadHash of earlier reports
// elsewhere and compare, and give the gateway's database role no UPDATE or
// DELETE rights on the log's tables (the tables also refuse updates and
// deletes by trigger, which stops mistakes, not administrators).
func (l *Log) Verify(ctx context.Context) (VerifyReport, error) {
	if l.isClosed() {
		return VerifyReport{}, ErrClosed
	}
	var (
		rep      VerifyReport
		wantSeq  = int64(1)
		prevHash = GenesisHash
	)
	broken := func(seq int64, format string, args ...any) error {
		rep.FirstBroken = seq
		rep.Problem = fmt.Sprintf(format, args...)
		return errStopScan
	}
	head, err := l.store.Scan(ctx, func(r Record) error {
		rep.Records++
		switch {
		case r.Seq > wantSeq:
			after := fmt.Sprintf("follows record %d", wantSeq-1)
			if wantSeq == 1 {
				after = "is the first record"
			}
			return broken(r.Seq, "%s missing: record %d %s", missingRange(wantSeq, r.Seq-1), r.Seq, after)
		case r.Seq < wantSeq:
			return broken(r.Seq, "record %d is out of sequence: expected record %d", r.Seq, wantSeq)
		case r.PrevHash != prevHash:
			if r.Seq == 1 {
				return broken(r.Seq, "record 1 does not link to the genesis hash")
			}
			return broken(r.Seq, "record %d does not link to record %d: its previous hash differs from that record's hash", r.Seq, r.Seq-1)
		case RecordHash(r) != r.Hash:
			return broken(r.Seq, "record %d has been changed: its content does not match its hash", r.Seq)
		}
		prevHash = r.Hash
		wantSeq++
		return nil
	})
	if err != nil && !errors.Is(err, errStopScan) {
		return VerifyReport{}, fmt.Errorf("audit: verify: %w", err)
	}
	rep.HeadSeq, rep.HeadHash = head.Seq, head.Hash
	if rep.FirstBroken != 0 {
		return rep, nil
	}
	last := wantSeq - 1
	switch {
	case head.Seq > last:
		broken(last+1, "%s missing at the end: the chain head says the log ends at record %d, but the last record is %d",
			missingRange(last+1, head.Seq), head.Seq, last)
	case head.Seq < last:
		broken(head.Seq+1, "record %d was not sealed by the chain head, which ends at record %d: it was added outside the log", head.Seq+1, head.Seq)
	case head.Hash != prevHash:
		if last == 0 {
			broken(0, "the chain head's hash is not the genesis hash of an empty log")
		} else {
			broken(last, "the chain head's hash does not match record %d", last)
		}
	default:
		rep.OK = true
	}
	return rep, nil
}

func missingRange(from, to int64) string {
	if from == to {
		return fmt.Sprintf("record %d is", from)
	}
	return fmt.Sprintf("records %d to %d are", from, to)
}
