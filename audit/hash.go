package audit

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// Format names of the canonical encodings. A new encoding gets a new name,
// so that a verifier can never mistake one for the other.
const (
	recordFormatV1 = "klynge-audit-record-v1" // unkeyed SHA-256, before chain keys
	recordFormatV2 = "klynge-audit-record-v2" // HMAC-SHA256 under a chain key
	grantFormat    = "klynge-audit-grant-v1"
)

// RecordHash is the seal the log gives r under key k: the lower-case hex
// HMAC-SHA256, keyed with k, of r's canonical encoding (version 2), which
// covers every field but Hash itself, PrevHash and KeyID included, so that
// changing any byte of any field, or the order of the records, breaks the
// chain, and nobody without the key can seal a record that verifies.
//
// The canonical encoding (version 2) is the concatenation of, in order:
//
//	text("klynge-audit-record-v2")
//	text(KeyID)
//	text(PrevHash)
//	int64(Seq)
//	int64(Time as microseconds since the Unix epoch, UTC)
//	text(RequestID) text(Principal.Subject) text(Principal.Role) text(Principal.Organization)
//	text(Citizen) bool(Pseudonymised)
//	list(Fields) list(Sources)
//	text(Purpose) text(Outcome) text(Reason) bool(FlaggedForReview)
//	int64(GrantID) text(GrantHash)
//
// where text(s) is the byte length of s as a big-endian uint32 followed by
// its bytes, int64 is 8 bytes big-endian two's complement, bool is one byte
// 0 or 1, and list(l) is len(l) as a big-endian uint32 followed by text(e)
// for each element. Length prefixes make the encoding unambiguous: no two
// different records encode to the same bytes.
func (k ChainKey) RecordHash(r Record) string {
	r.KeyID = k.id
	return k.mac(canonicalEncoding(r, recordFormatV2))
}

// UnkeyedRecordHash is the version-1 hash of records written before the
// log had chain keys: the lower-case hex SHA-256 of the version-1 encoding,
// which is the version-2 encoding without KeyID, GrantID and GrantHash,
// named "klynge-audit-record-v1". It involves no secret: anyone can
// recompute it, which is why Verify accepts it only for the records an
// operator names (VerifyOptions.UnkeyedThrough).
func UnkeyedRecordHash(r Record) string {
	sum := sha256.Sum256(canonicalEncoding(r, recordFormatV1))
	return hex.EncodeToString(sum[:])
}

func canonicalEncoding(r Record, format string) []byte {
	n := 96 + len(format) + len(r.KeyID) + len(r.PrevHash) + len(r.RequestID) + len(r.Principal.Subject) +
		len(r.Principal.Role) + len(r.Principal.Organization) + len(r.Citizen) + len(r.Purpose) +
		len(r.Outcome) + len(r.Reason) + len(r.GrantHash)
	for _, f := range r.Fields {
		n += 4 + len(f)
	}
	for _, s := range r.Sources {
		n += 4 + len(s)
	}
	b := make([]byte, 0, n)
	b = appendText(b, format)
	if format != recordFormatV1 {
		b = appendText(b, r.KeyID)
	}
	b = appendText(b, r.PrevHash)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(r.Time.UnixMicro()))
	b = appendText(b, r.RequestID)
	b = appendText(b, r.Principal.Subject)
	b = appendText(b, r.Principal.Role)
	b = appendText(b, r.Principal.Organization)
	b = appendText(b, string(r.Citizen))
	b = appendBool(b, r.Pseudonymised)
	b = appendList(b, r.Fields)
	b = appendList(b, r.Sources)
	b = appendText(b, string(r.Purpose))
	b = appendText(b, string(r.Outcome))
	b = appendText(b, r.Reason)
	b = appendBool(b, r.FlaggedForReview)
	if format != recordFormatV1 {
		b = binary.BigEndian.AppendUint64(b, uint64(r.GrantID))
		b = appendText(b, r.GrantHash)
	}
	return b
}

// GrantHash is the seal of a break-the-glass grant's state under key k:
// the lower-case hex HMAC-SHA256 of
//
//	text("klynge-audit-grant-v1") text(KeyID) int64(ID)
//	text(Principal.Subject) text(Principal.Role) text(Principal.Organization)
//	text(Citizen) text(Reason) int64(GrantedAt) int64(ExpiresAt)
//	text(ReviewedBy) int64(ReviewedAt, 0 until reviewed) text(ReviewNote)
//
// (times in microseconds since the Unix epoch, the rest as in RecordHash).
// The record that writes each state of a grant carries this seal
// (Record.GrantHash), so the chain says what every grant must hold.
func (k ChainKey) GrantHash(g Grant) string {
	b := appendText(nil, grantFormat)
	b = appendText(b, k.id)
	b = binary.BigEndian.AppendUint64(b, uint64(g.ID))
	b = appendText(b, g.Principal.Subject)
	b = appendText(b, g.Principal.Role)
	b = appendText(b, g.Principal.Organization)
	b = appendText(b, string(g.Citizen))
	b = appendText(b, g.Reason)
	b = binary.BigEndian.AppendUint64(b, uint64(g.GrantedAt.UnixMicro()))
	b = binary.BigEndian.AppendUint64(b, uint64(g.ExpiresAt.UnixMicro()))
	b = appendText(b, g.ReviewedBy)
	b = binary.BigEndian.AppendUint64(b, uint64(microsOrZero(g.ReviewedAt)))
	b = appendText(b, g.ReviewNote)
	return k.mac(b)
}

func microsOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func appendText(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func appendList(b []byte, l []string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(l)))
	for _, s := range l {
		b = appendText(b, s)
	}
	return b
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// Seal gives each record its sequence number, links it to the one before,
// starting after head, and seals it under the current key. It returns the
// new head. Stores call it inside the transaction that holds the head.
func (ks *Keys) Seal(recs []Record, head ChainHead) ChainHead {
	k := ks.current
	for i := range recs {
		head.Seq++
		recs[i].Seq = head.Seq
		recs[i].PrevHash = head.Hash
		recs[i].KeyID = k.id
		recs[i].Hash = k.RecordHash(recs[i])
		head.Hash = recs[i].Hash
	}
	return head
}

// SealGrant sets g's KeyID and Hash under the current key.
func (ks *Keys) SealGrant(g *Grant) {
	g.KeyID = ks.current.id
	g.Hash = ks.current.GrantHash(*g)
}

// grantSealed reports whether g's seal is valid under the key it names.
func (ks *Keys) grantSealed(g Grant) bool {
	k, ok := ks.lookup(g.KeyID)
	return ok && g.KeyID != "" && hmacEqual(k.GrantHash(g), g.Hash)
}

func hmacEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
