package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/server/overload"
)

// admissionPriority ranks a request before anything of it is verified or
// read: by the role claim of its bearer token, read without checking the
// signature. That is safe because the signature is checked right after
// admission: a forged claim buys a place in the queue for a 401, nothing
// more. Health professionals and citizens are a person waiting;
// integrators' and privacy officers' work, and requests without a readable
// token, are bulk.
func admissionPriority(r *http.Request) overload.Priority {
	switch unverifiedRole(r.Header.Get("Authorization")) {
	case access.RoleClinician, access.RoleGP, access.RoleMunicipalNurse, access.RoleOutOfHoursDoctor, access.RoleCitizen:
		return overload.Interactive
	}
	return overload.Bulk
}

// maxPeekedPayload bounds the token payload decoded for the peek; a larger
// one is bulk (the guards refuse oversized headers anyway).
const maxPeekedPayload = 4096

// unverifiedRole is the klynge_role claim of a "Bearer <JWT>" header, ""
// when there is none or it cannot be read. Never use it to decide access.
func unverifiedRole(header string) access.Role {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return ""
	}
	_, rest, ok := strings.Cut(token, ".")
	if !ok {
		return ""
	}
	payload, _, ok := strings.Cut(rest, ".")
	if !ok || len(payload) > maxPeekedPayload {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ""
	}
	var claims struct {
		Role access.Role `json:"klynge_role"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return ""
	}
	return claims.Role
}
