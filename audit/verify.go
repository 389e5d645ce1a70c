package audit

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// VerifyOptions say what Verify checks besides the chain itself.
type VerifyOptions struct {
	// Checkpoints are checkpoints written outside the database
	// (ReadCheckpoints): the log must still hold each one's record with
	// its hash, and must be at least as long as the latest.
	Checkpoints []Checkpoint
	// UnkeyedThrough accepts records 1 to UnkeyedThrough sealed without a
	// key (written before the log had chain keys), checked with their
	// version-1 hash. An operator sets it once, from the last unkeyed
	// record of an upgraded log; any other unkeyed record fails: anyone can
	// compute an unkeyed hash, so a log rewritten without keys must not
	// verify.
	UnkeyedThrough int64
}

// VerifyReport is the result of checking the whole log.
type VerifyReport struct {
	Records int64 // records read, up to and including FirstBroken
	Grants  int64 // grants checked
	// Checkpoints is how many checkpoints were checked.
	Checkpoints int
	OK          bool
	// FirstBroken is the Seq of the first record whose sequence number,
	// link or seal is wrong (0 when none). For missing records it is the
	// Seq of the record after the gap, or, when the end of the log is
	// missing, the first Seq the chain head (or a checkpoint) says should
	// be there.
	FirstBroken int64
	// BrokenGrant is the ID of the first grant whose seal or attestation is
	// wrong (0 when none).
	BrokenGrant int64
	Problem     string // what is wrong, for people; names no citizen
	// HeadSeq and HeadHash are the sealed end of the chain as stored.
	HeadSeq  int64
	HeadHash string
}

// Verify is VerifyWith without checkpoints or unkeyed records.
func (l *Log) Verify(ctx context.Context) (VerifyReport, error) {
	return l.VerifyWith(ctx, VerifyOptions{})
}

// VerifyWith reads the whole log and the grant register in one consistent
// snapshot and checks that the records are numbered 1, 2, 3, … without
// gaps, that each links to the hash of the one before (the first to
// GenesisHash), that each one's seal matches its content under the key it
// names, that the last record is the one the chain head sealed, that every
// grant holds exactly the state the chain's last record about it attests,
// and that the log agrees with every checkpoint. It names the first record
// (or grant, or checkpoint) that fails.
//
// What it detects, against someone who can write the database but does not
// hold the chain key: a changed byte in any column of any record or grant
// (the seal no longer matches, and recomputing an unkeyed hash does not
// help); a record deleted, added or moved anywhere (a gap, a link or a seal
// that fails); a grant added, deleted, extended or marked reviewed outside
// the log; records cut off at the end, as far as the chain head or the
// latest checkpoint reaches.
//
// What it cannot detect: records cut off after the latest checkpoint
// together with a head moved back to match (keep checkpoints frequent and
// elsewhere), and anything done by someone who holds the chain key.
func (l *Log) VerifyWith(ctx context.Context, opts VerifyOptions) (VerifyReport, error) {
	if l.isClosed() {
		return VerifyReport{}, ErrClosed
	}
	v := &verifier{keys: l.opts.Keys, opts: opts, prevHash: GenesisHash, wantSeq: 1,
		attested: map[int64]attestation{}, hashes: map[int64]string{}}
	for _, c := range opts.Checkpoints {
		v.hashes[c.Seq] = ""
	}
	head, err := l.store.Scan(ctx, v.record, v.grant)
	if err != nil && !errors.Is(err, errStopScan) {
		return VerifyReport{}, fmt.Errorf("audit: verify: %w", err)
	}
	v.rep.HeadSeq, v.rep.HeadHash = head.Seq, head.Hash
	if v.rep.FirstBroken == 0 && v.rep.BrokenGrant == 0 {
		v.end(head)
	}
	v.rep.OK = v.rep.Problem == ""
	return v.rep, nil
}

type attestation struct {
	seq  int64
	hash string
}

// verifier checks what Scan reads, in order.
type verifier struct {
	keys     *Keys
	opts     VerifyOptions
	rep      VerifyReport
	wantSeq  int64
	prevHash string
	sawKeyed bool
	attested map[int64]attestation // grant ID -> the last record about it
	grants   []Grant               // the register, in ID order
	hashes   map[int64]string      // checkpointed Seqs -> the hash found there
}

func (v *verifier) broken(seq int64, format string, args ...any) error {
	v.rep.FirstBroken = seq
	v.rep.Problem = fmt.Sprintf(format, args...)
	return errStopScan
}

func (v *verifier) record(r Record) error {
	v.rep.Records++
	switch {
	case r.Seq > v.wantSeq:
		after := fmt.Sprintf("follows record %d", v.wantSeq-1)
		if v.wantSeq == 1 {
			after = "is the first record"
		}
		return v.broken(r.Seq, "%s missing: record %d %s", missingRange(v.wantSeq, r.Seq-1), r.Seq, after)
	case r.Seq < v.wantSeq:
		return v.broken(r.Seq, "record %d is out of sequence: expected record %d", r.Seq, v.wantSeq)
	case r.PrevHash != v.prevHash:
		if r.Seq == 1 {
			return v.broken(r.Seq, "record 1 does not link to the genesis hash")
		}
		return v.broken(r.Seq, "record %d does not link to record %d: its previous hash differs from that record's hash", r.Seq, r.Seq-1)
	}
	if err := v.seal(r); err != nil {
		return err
	}
	if r.GrantID != 0 {
		v.attested[r.GrantID] = attestation{seq: r.Seq, hash: r.GrantHash}
	}
	if _, ok := v.hashes[r.Seq]; ok {
		v.hashes[r.Seq] = r.Hash
	}
	v.prevHash = r.Hash
	v.wantSeq++
	return nil
}

// seal checks a record's seal under the key it names, or, for records
// written before keys, its unkeyed hash where the operator accepts one.
func (v *verifier) seal(r Record) error {
	if r.KeyID == "" {
		switch {
		case v.sawKeyed:
			return v.broken(r.Seq, "record %d is not sealed with a key, but records before it are: the log was rewritten without the key", r.Seq)
		case r.Seq > v.opts.UnkeyedThrough:
			return v.broken(r.Seq, "record %d is not sealed with a key (a log written before chain keys? name its last unkeyed record with -unkeyed-through)", r.Seq)
		case UnkeyedRecordHash(r) != r.Hash:
			return v.broken(r.Seq, "record %d has been changed: its content does not match its hash", r.Seq)
		}
		return nil
	}
	v.sawKeyed = true
	k, ok := v.keys.lookup(r.KeyID)
	if !ok {
		return v.broken(r.Seq, "record %d is sealed with key %s, which this verification was not given (audit.previousChainKeys)", r.Seq, r.KeyID)
	}
	if !hmacEqual(k.RecordHash(r), r.Hash) {
		return v.broken(r.Seq, "record %d has been changed: its content does not match its seal", r.Seq)
	}
	return nil
}

// grant keeps a grant for checkGrant, once the whole chain is known to be
// sound: a record cut off the end explains a grant it attested.
func (v *verifier) grant(g Grant) error {
	v.grants = append(v.grants, g)
	return nil
}

func (v *verifier) checkGrant(g Grant) error {
	v.rep.Grants++
	a, ok := v.attested[g.ID]
	switch {
	case g.KeyID == "" && v.opts.UnkeyedThrough > 0 && !ok:
		return nil // a grant from before keys, which no record attests
	case g.KeyID == "" || !v.keys.grantSealed(g):
		return v.brokenGrant(g.ID, "break-the-glass grant %d has been changed: its content does not match its seal", g.ID)
	case !ok:
		return v.brokenGrant(g.ID, "break-the-glass grant %d was added outside the log: no record attests it", g.ID)
	case a.hash != g.Hash:
		return v.brokenGrant(g.ID, "break-the-glass grant %d is not the state record %d attests: it was changed (or a change was undone) outside the log", g.ID, a.seq)
	}
	return nil
}

func (v *verifier) brokenGrant(id int64, format string, args ...any) error {
	v.rep.BrokenGrant = id
	v.rep.Problem = fmt.Sprintf(format, args...)
	return errStopScan
}

// end checks what can only be checked once everything is read: the head,
// the checkpoints, and then the grant register against what the chain
// attests.
func (v *verifier) end(head ChainHead) {
	last := v.wantSeq - 1
	switch {
	case head.Seq > last:
		v.broken(last+1, "%s missing at the end: the chain head says the log ends at record %d, but the last record is %d",
			missingRange(last+1, head.Seq), head.Seq, last)
		return
	case head.Seq < last:
		v.broken(head.Seq+1, "record %d was not sealed by the chain head, which ends at record %d: it was added outside the log", head.Seq+1, head.Seq)
		return
	case head.Hash != v.prevHash:
		if last == 0 {
			v.broken(0, "the chain head's hash is not the genesis hash of an empty log")
		} else {
			v.broken(last, "the chain head's hash does not match record %d", last)
		}
		return
	}
	if v.checkpoints(last); v.rep.Problem != "" {
		return
	}
	seen := map[int64]bool{}
	for _, g := range v.grants {
		seen[g.ID] = true
		if v.checkGrant(g) != nil {
			return
		}
	}
	var missing []int64
	for id := range v.attested {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
		v.brokenGrant(missing[0], "break-the-glass grant %d is missing: record %d attests it, but the register does not hold it", missing[0], v.attested[missing[0]].seq)
	}
}

func (v *verifier) checkpoints(last int64) {
	for _, c := range v.opts.Checkpoints {
		v.rep.Checkpoints++
		k, ok := v.keys.lookup(c.KeyID)
		if !ok {
			v.rep.Problem = fmt.Sprintf("checkpoint on line %d is sealed with key %s, which this verification was not given", c.Line, c.KeyID)
			return
		}
		if !hmacEqual(k.checkpointMAC(c), c.MAC) {
			v.rep.Problem = fmt.Sprintf("checkpoint on line %d has been changed: it does not match its seal", c.Line)
			return
		}
		if c.Seq > last {
			v.broken(last+1, "%s missing at the end: a checkpoint of %s (line %d) saw the log at record %d, but it now ends at record %d",
				missingRange(last+1, c.Seq), c.At.UTC().Format("2006-01-02T15:04:05Z"), c.Line, c.Seq, last)
			return
		}
		if v.hashes[c.Seq] != c.Hash {
			v.broken(c.Seq, "record %d is not the record a checkpoint of %s (line %d) saw there: the log was rewritten from there on",
				c.Seq, c.At.UTC().Format("2006-01-02T15:04:05Z"), c.Line)
			return
		}
	}
}

func missingRange(from, to int64) string {
	if from == to {
		return fmt.Sprintf("record %d is", from)
	}
	return fmt.Sprintf("records %d to %d are", from, to)
}
