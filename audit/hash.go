package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// hashFormat names the canonical encoding. A new encoding gets a new name,
// so that a verifier can never mistake one for the other.
const hashFormat = "klynge-audit-record-v1"

// RecordHash is the hash the log gives r: the lower-case hex SHA-256 of
// r's canonical encoding, which covers every field but Hash itself,
// PrevHash included, so that changing any byte of any field, or the order
// of the records, breaks the chain.
//
// The canonical encoding (version 1) is the concatenation of, in order:
//
//	text("klynge-audit-record-v1")
//	text(PrevHash)
//	int64(Seq)
//	int64(Time as microseconds since the Unix epoch, UTC)
//	text(RequestID) text(Principal.Subject) text(Principal.Role) text(Principal.Organization)
//	text(Citizen) bool(Pseudonymised)
//	list(Fields) list(Sources)
//	text(Purpose) text(Outcome) text(Reason) bool(FlaggedForReview)
//
// where text(s) is the byte length of s as a big-endian uint32 followed by
// its bytes, int64 is 8 bytes big-endian two's complement, bool is one byte
// 0 or 1, and list(l) is len(l) as a big-endian uint32 followed by text(e)
// for each element. Length prefixes make the encoding unambiguous: no two
// different records encode to the same bytes.
func RecordHash(r Record) string {
	sum := sha256.Sum256(canonicalEncoding(r))
	return hex.EncodeToString(sum[:])
}

func canonicalEncoding(r Record) []byte {
	n := 64 + len(hashFormat) + len(r.PrevHash) + len(r.RequestID) + len(r.Principal.Subject) +
		len(r.Principal.Role) + len(r.Principal.Organization) + len(r.Citizen) + len(r.Purpose) +
		len(r.Outcome) + len(r.Reason)
	for _, f := range r.Fields {
		n += 4 + len(f)
	}
	for _, s := range r.Sources {
		n += 4 + len(s)
	}
	b := make([]byte, 0, n)
	b = appendText(b, hashFormat)
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
	return b
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

// Seal gives each record its sequence number and links it to the one
// before, starting after the chain head (headSeq, headHash). It returns the
// new head. Stores call it inside the transaction that holds the head.
func Seal(recs []Record, headSeq int64, headHash string) (int64, string) {
	for i := range recs {
		headSeq++
		recs[i].Seq = headSeq
		recs[i].PrevHash = headHash
		recs[i].Hash = RecordHash(recs[i])
		headHash = recs[i].Hash
	}
	return headSeq, headHash
}
