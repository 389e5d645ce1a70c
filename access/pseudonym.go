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
