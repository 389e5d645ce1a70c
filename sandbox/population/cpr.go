package population

import (
	"fmt"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// centuryDigits are the values the 7th CPR digit may take for a birth year,
// per the CPR office's century table (DOMAIN.md).
func centuryDigits(year int) ([]byte, error) {
	switch {
	case year >= 1858 && year <= 1899:
		return []byte("5678"), nil
	case year >= 1900 && year <= 1936:
		return []byte("0123"), nil
	case year >= 1937 && year <= 1999:
		return []byte("012349"), nil
	case year >= 2000 && year <= 2036:
		return []byte("495678"), nil
	case year >= 2037 && year <= 2057:
		return []byte("5678"), nil
	}
	return nil, fmt.Errorf("birth year %d has no CPR century digit", year)
}

// cprIssuer makes unique synthetic CPRs: replacement numbers with the day of
// birth + 60, so none can be a real person's.
type cprIssuer struct {
	issued map[domain.CPR]struct{}
}

func newCPRIssuer(n int) *cprIssuer {
	return &cprIssuer{issued: make(map[domain.CPR]struct{}, n)}
}

func (ci *cprIssuer) issue(st *stream, birth time.Time, sex domain.Sex) (domain.CPR, error) {
	digits, err := centuryDigits(birth.Year())
	if err != nil {
		return "", err
	}
	for range 10000 {
		serial := int(digits[st.IntN(len(digits))]-'0')*1000 + st.IntN(100)*10
		last := st.IntN(5) * 2 // even: female
		if sex == domain.SexMale {
			last++
		}
		serial += last
		c := domain.CPR(fmt.Sprintf("%02d%02d%02d%04d", birth.Day()+60, int(birth.Month()), birth.Year()%100, serial))
		if _, dup := ci.issued[c]; dup {
			continue
		}
		ci.issued[c] = struct{}{}
		return c, nil
	}
	return "", fmt.Errorf("no free CPR serial for birth date %s", birth.Format(time.DateOnly))
}
