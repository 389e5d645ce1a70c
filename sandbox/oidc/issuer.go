package oidc

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox/population"
)

// Options configure an Issuer. Zero values are the defaults, except World,
// which is required.
type Options struct {
	// World is the population the demo clients' organisations and example
	// citizens come from.
	World *population.World
	// Prefix is the path the handler is mounted at (default "/oidc").
	Prefix string
	// Audience is the aud claim of every token (default "klynge"), unless
	// a token request asks for another with the audience parameter.
	Audience string
	// TokenTTL is how long a token is valid (default 1h).
	TokenTTL time.Duration
	// Now is the clock tokens are issued by (default time.Now). The
	// gateway checks them against real time, not the sandbox's present.
	Now func() time.Time
	// Logger receives issued-token and rotation events (client id and key
	// id only); nil discards.
	Logger *slog.Logger
}

// DefaultAudience is the aud of demo tokens and the audience `klynge demo`
// expects.
const DefaultAudience = "klynge"

// Issuer is the development OpenID Connect issuer. It is safe for
// concurrent use.
type Issuer struct {
	opts    Options
	keys    *keyRing
	clients []Client
	log     *slog.Logger
}

// New generates a signing key and picks the demo clients. It starts no
// goroutines.
func New(opts Options) (*Issuer, error) {
	if opts.World == nil {
		return nil, fmt.Errorf("oidc: Options.World is required")
	}
	if opts.Prefix == "" {
		opts.Prefix = "/oidc"
	}
	opts.Prefix = "/" + strings.Trim(opts.Prefix, "/")
	if opts.Audience == "" {
		opts.Audience = DefaultAudience
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.TokenTTL < 0 {
		return nil, fmt.Errorf("oidc: TokenTTL must not be negative, got %s", opts.TokenTTL)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	keys, err := newKeyRing()
	if err != nil {
		return nil, err
	}
	clients, err := demoClients(opts.World)
	if err != nil {
		return nil, err
	}
	return &Issuer{opts: opts, keys: keys, clients: clients, log: log}, nil
}

// Clients lists the demo clients.
func (i *Issuer) Clients() []Client {
	out := make([]Client, len(i.clients))
	copy(out, i.clients)
	return out
}

// Client finds a demo client by id.
func (i *Issuer) Client(id string) (Client, bool) {
	for _, c := range i.clients {
		if c.ID == id {
			return c, true
		}
	}
	return Client{}, false
}

// Rotate makes a new signing key; the previous one stays in the key set
// until the next rotation, so tokens already issued still verify. It
// returns the new key's id.
func (i *Issuer) Rotate() (string, error) {
	k, err := i.keys.rotate()
	if err != nil {
		return "", err
	}
	i.log.Info("oidc: signing key rotated", "kid", k.id)
	return k.id, nil
}

// Handler serves the issuer's routes under Options.Prefix, to pages of any
// origin (CORS).
func (i *Issuer) Handler() http.Handler {
	p := i.opts.Prefix
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+p+"/.well-known/openid-configuration", i.discovery)
	mux.HandleFunc("GET "+p+"/jwks", i.jwks)
	mux.HandleFunc("POST "+p+"/token", i.token)
	mux.HandleFunc("GET "+p+"/clients", i.listClients)
	mux.HandleFunc("POST "+p+"/keys/rotate", i.rotate)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Any page may ask (the playground of klynge demo, on another
		// port): the issuer's secrets are public, and its tokens are
		// bearer tokens, never cookies.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if h, pattern := mux.Handler(r); pattern == "" {
			probe := &statusProbe{header: http.Header{}}
			h.ServeHTTP(probe, r)
			if probe.status == http.StatusMethodNotAllowed {
				w.Header().Set("Allow", probe.header.Get("Allow"))
				writeJSON(w, http.StatusMethodNotAllowed, oauthError{Error: "invalid_request", Description: r.Method + " is not allowed on " + r.URL.Path})
				return
			}
			writeJSON(w, http.StatusNotFound, oauthError{Error: "not_found", Description: "no such issuer route; see " + p + "/.well-known/openid-configuration"})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// IssuerURL is the issuer identifier for a request: the scheme and host it
// came in on plus the prefix.
func (i *Issuer) IssuerURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + i.opts.Prefix
}

type discoveryDocument struct {
	Issuer                 string   `json:"issuer"`
	JWKSURI                string   `json:"jwks_uri"`
	TokenEndpoint          string   `json:"token_endpoint"`
	GrantTypes             []string `json:"grant_types_supported"`
	TokenAuthMethods       []string `json:"token_endpoint_auth_methods_supported"`
	ResponseTypes          []string `json:"response_types_supported"`
	SubjectTypes           []string `json:"subject_types_supported"`
	IDTokenSigningAlgs     []string `json:"id_token_signing_alg_values_supported"`
	ClaimsSupported        []string `json:"claims_supported"`
	ServiceDocumentation   string   `json:"service_documentation"`
	KlyngeClientsEndpoint  string   `json:"klynge_clients_endpoint"`
	KlyngeRotationEndpoint string   `json:"klynge_key_rotation_endpoint"`
}

func (i *Issuer) discovery(w http.ResponseWriter, r *http.Request) {
	iss := i.IssuerURL(r)
	writeJSON(w, http.StatusOK, discoveryDocument{
		Issuer:             iss,
		JWKSURI:            iss + "/jwks",
		TokenEndpoint:      iss + "/token",
		GrantTypes:         []string{"client_credentials"},
		TokenAuthMethods:   []string{"client_secret_post", "client_secret_basic"},
		ResponseTypes:      []string{"token"},
		SubjectTypes:       []string{"public"},
		IDTokenSigningAlgs: []string{string(signingAlg)},
		ClaimsSupported: []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "azp",
			ClaimRole, ClaimOrganization, ClaimClusters, ClaimCPR},
		ServiceDocumentation:   "docs/ACCESS.md",
		KlyngeClientsEndpoint:  iss + "/clients",
		KlyngeRotationEndpoint: iss + "/keys/rotate",
	})
}

func (i *Issuer) jwks(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "max-age=60")
	writeJSON(w, http.StatusOK, i.keys.published())
}

func (i *Issuer) listClients(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Secret  string   `json:"client_secret"`
		Clients []Client `json:"clients"`
	}{ClientSecret, i.clients})
}

func (i *Issuer) rotate(w http.ResponseWriter, r *http.Request) {
	kid, err := i.Rotate()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, oauthError{Error: "server_error", Description: "could not generate a key"})
		return
	}
	set := i.keys.published()
	kids := make([]string, len(set.Keys))
	for k, key := range set.Keys {
		kids[k] = key.KeyID
	}
	writeJSON(w, http.StatusOK, struct {
		KeyID     string   `json:"kid"`
		Published []string `json:"published"`
	}{kid, kids})
}

// oauthError is the RFC 6749 §5.2 error body.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// statusProbe captures what the mux would answer for an unrouted request.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(status int)      { p.status = status }
