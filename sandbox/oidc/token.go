package oidc

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

// The claims klynge reads from a token besides the registered ones
// (server/auth reads the same names; docs/ACCESS.md describes them).
const (
	ClaimRole         = "klynge_role"
	ClaimOrganization = "klynge_org"
	ClaimClusters     = "klynge_clusters"
	ClaimCPR          = "klynge_cpr"
)

// maxTokenRequest bounds a token request's form body.
const maxTokenRequest = 16 << 10

type tokenClaims struct {
	jwt.Claims
	AuthorizedParty string   `json:"azp,omitempty"`
	Role            string   `json:"klynge_role"`
	Organization    string   `json:"klynge_org,omitempty"`
	Clusters        []string `json:"klynge_clusters,omitempty"`
	CPR             string   `json:"klynge_cpr,omitempty"`
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// token is the client-credentials grant (RFC 6749 §4.4). The client
// authenticates with HTTP Basic or with client_id and client_secret in the
// form; the optional audience parameter sets aud.
func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	fail := func(status int, code, description string) {
		writeJSON(w, status, oauthError{Error: code, Description: description})
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		fail(http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenRequest)
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, "invalid_request", "the form body could not be read")
		return
	}
	form := r.PostForm
	if gt := form.Get("grant_type"); gt != "client_credentials" {
		if gt == "" {
			fail(http.StatusBadRequest, "invalid_request", "grant_type is required")
		} else {
			fail(http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
		}
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic && (form.Has("client_id") || form.Has("client_secret")) {
		fail(http.StatusBadRequest, "invalid_request", "authenticate the client one way: HTTP Basic or client_id and client_secret in the form, not both")
		return
	}
	if !basic {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	client, known := i.Client(id)
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(ClientSecret)) == 1
	if id == "" || !known || !secretOK {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="klynge sandbox"`)
		}
		fail(http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret; GET "+i.opts.Prefix+"/clients lists the demo clients (secret \"demo\")")
		return
	}
	audience := i.opts.Audience
	if a := form.Get("audience"); a != "" {
		audience = a
	}
	now := i.opts.Now()
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	claims := tokenClaims{
		Claims: jwt.Claims{
			Issuer:    i.IssuerURL(r),
			Subject:   client.ID,
			Audience:  jwt.Audience{audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			Expiry:    jwt.NewNumericDate(now.Add(i.opts.TokenTTL)),
			ID:        hex.EncodeToString(jti),
		},
		AuthorizedParty: client.ID,
		Role:            client.Role,
		Organization:    client.Organization,
		Clusters:        client.Clusters,
		CPR:             client.CPR,
	}
	key := i.keys.signing()
	raw, err := jwt.Signed(key.signer).Claims(claims).Serialize()
	if err != nil {
		fail(http.StatusInternalServerError, "server_error", "the token could not be signed")
		return
	}
	i.log.Info("oidc: token issued", "client_id", client.ID, "kid", key.id, "expires_in", i.opts.TokenTTL.Round(time.Second).String())
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: raw, TokenType: "Bearer", ExpiresIn: int(i.opts.TokenTTL / time.Second)})
}
