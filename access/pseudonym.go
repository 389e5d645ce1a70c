package access

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/sundhedsklynge/klynge/domain"
)

// MinPseudonymSecret is the shortest secret NewPseudonymiser accepts: the
// pseudonyms are only as strong as the secret is hard to guess, and a CPR
// has few enough values to try them all.
const MinPseudonymSecret = 32

// Pseudonymiser turns a CPR into the pseudonym one integrator sees:
// HMAC-SHA256 under a configured secret of the integrator's subject and the
// CPR. The same citizen keeps the same pseudonym for the same integrator
// (worklists can be followed over time), two integrators see unrelated
// pseudonyms (they cannot join their data), and without the secret a
// pseudonym cannot be traced back to a CPR. It is safe for concurrent use.
type Pseudonymiser struct {
	secret []byte
}

// NewPseudonymiser returns a Pseudonymiser keyed with secret, which must
// have at least MinPseudonymSecret bytes.
func NewPseudonymiser(secret []byte) (*Pseudonymiser, error) {
	if len(secret) < MinPseudonymSecret {
		return nil, fmt.Errorf("access: pseudonym secret must be at least %d bytes, got %d", MinPseudonymSecret, len(secret))
	}
	return &Pseudonymiser{secret: append([]byte(nil), secret...)}, nil
}

var pseudonymEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Pseudonym is the pseudonym of cpr for the integrator subject: "p-"
// followed by 26 characters (128 bits of the MAC).
func (ps *Pseudonymiser) Pseudonym(subject string, cpr domain.CPR) (string, error) {
	if subject == "" {
		return "", errors.New("access: pseudonym: subject is required")
	}
	mac := hmac.New(sha256.New, ps.secret)
	// Length-prefixing the subject keeps ("ab", "c…") and ("a", "bc…")
	// apart.
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(subject)))
	mac.Write(n[:])
	mac.Write([]byte(subject))
	mac.Write([]byte(cpr))
	sum := mac.Sum(nil)
	return "p-" + strings.ToLower(pseudonymEncoding.EncodeToString(sum[:16])), nil
}

// refFormat separates record-id pseudonyms from citizen pseudonyms under
// the same secret.
const refFormat = "klynge-record-pseudonym-v1"

// Ref is the pseudonym of an upstream record id (an encounter's, a
// notification's, a service's, a visit's, …) for the audience (an
// integrator's subject): "r-" followed by 20 characters (100 bits of the
// HMAC-SHA256 under the secret of the format, the audience and the id).
// Within one audience the same id always has the same pseudonym, so that a
// pathway's events, evidence and deadlines still point at each other; to
// another audience it is unrelated, and without the secret it leads to no
// record in the upstream system.
func (ps *Pseudonymiser) Ref(audience, id string) (string, error) {
	if audience == "" {
		return "", errors.New("access: pseudonym: audience is required")
	}
	mac := hmac.New(sha256.New, ps.secret)
	for _, part := range []string{refFormat, audience, id} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		mac.Write(n[:])
		mac.Write([]byte(part))
	}
	sum := mac.Sum(nil)
	return "r-" + strings.ToLower(pseudonymEncoding.EncodeToString(sum[:13]))[:20], nil
}
