package municipal

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// ErrUnknownMunicipality matches every *UnknownMunicipalityError.
var ErrUnknownMunicipality = errors.New("unknown municipality")

// UnknownMunicipalityError is a municipality klynge has no instance of.
type UnknownMunicipalityError struct {
	Code domain.MunicipalityCode
}

func (e *UnknownMunicipalityError) Error() string {
	return fmt.Sprintf("municipal: no care system configured for municipality %03d", int(e.Code))
}

// Is lets errors.Is(err, ErrUnknownMunicipality) hold.
func (e *UnknownMunicipalityError) Is(target error) bool { return target == ErrUnknownMunicipality }

// Directory holds one Client per configured municipality.
type Directory struct {
	clients map[domain.MunicipalityCode]*Client
	codes   []domain.MunicipalityCode
}

// NewDirectory wraps one upstream client per municipality code. The map
// is copied; the upstream clients are shared, not owned.
func NewDirectory(instances map[domain.MunicipalityCode]*upstream.Client) *Directory {
	d := &Directory{clients: make(map[domain.MunicipalityCode]*Client, len(instances))}
	for code, up := range instances {
		d.clients[code] = New(code, up)
	}
	d.codes = slices.Sorted(maps.Keys(d.clients))
	return d
}

// Instance is the client of one municipality, or an
// *UnknownMunicipalityError.
func (d *Directory) Instance(code domain.MunicipalityCode) (*Client, error) {
	c, ok := d.clients[code]
	if !ok {
		return nil, &UnknownMunicipalityError{Code: code}
	}
	return c, nil
}

// Codes lists the configured municipalities in ascending order.
func (d *Directory) Codes() []domain.MunicipalityCode { return slices.Clone(d.codes) }
