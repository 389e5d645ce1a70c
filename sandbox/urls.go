package sandbox

import (
	"fmt"
	"strings"

	"github.com/sundhedsklynge/klynge/domain"
)

// BaseURLs are the base URLs of the simulated systems and the controls when
// the sandbox's handler is served at one root URL.
type BaseURLs struct {
	EHospitalFHIR string // root + "/ehospital/fhir"
	OutOfHours    string // root + "/outofhours/api/v1"
	GPReferral    string // root + "/gpreferral"
	Controls      string // root + "/_sandbox"
	OIDCIssuer    string // root + "/oidc": the development OpenID Connect issuer
	// MunicipalRoot is root + "/municipal"; use Municipal for one instance.
	MunicipalRoot string
}

// URLs derives the base URLs from the root the handler is served at, e.g.
// "http://127.0.0.1:8081". A trailing slash on root is ignored.
func URLs(root string) BaseURLs {
	root = strings.TrimRight(root, "/")
	return BaseURLs{
		EHospitalFHIR: root + "/ehospital/fhir",
		OutOfHours:    root + "/outofhours/api/v1",
		GPReferral:    root + "/gpreferral",
		Controls:      root + "/_sandbox",
		OIDCIssuer:    root + "/oidc",
		MunicipalRoot: root + "/municipal",
	}
}

// Municipal is the base URL of one municipality's care system instance,
// e.g. root + "/municipal/330/api".
func (u BaseURLs) Municipal(code domain.MunicipalityCode) string {
	return fmt.Sprintf("%s/%03d/api", u.MunicipalRoot, int(code))
}
