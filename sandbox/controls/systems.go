package controls

import (
	"fmt"

	"github.com/sundhedsklynge/klynge/domain"
)

// System keys name the simulated systems in stats and faults. A municipal
// care system is one system per municipality: MunicipalSystem(330) is
// "municipal/330".
const (
	SystemEHospital  = "ehospital"
	SystemOutOfHours = "outofhours"
	SystemGPReferral = "gpreferral"
)

// MunicipalSystem is the system key of one municipality's care system.
func MunicipalSystem(code domain.MunicipalityCode) string {
	return fmt.Sprintf("municipal/%03d", int(code))
}
