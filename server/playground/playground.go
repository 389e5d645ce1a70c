// Package playground serves GraphiQL from the gateway's own binary: the
// page and its assets (GraphiQL, React and klynge's additions, bundled from
// npm packages at pinned versions by scripts/playground) are embedded, so
// the playground works on a network that reaches nothing but the gateway.
//
// The page has no inline script or style: its settings travel in data
// attributes, so that a Content-Security-Policy of script-src 'self' holds
// (the fonts are data: URLs in the CSS, so font-src needs data:). With
// Options.TokenIssuer (klynge demo) it offers tokens of the demo clients;
// the page then also connects to that issuer.
//
// It knows nothing of GraphQL execution and must not: it is static files
// and one template.
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:generate sh ../../scripts/playground/build.sh

//go:embed assets/playground.js assets/playground.css
var assets embed.FS

// AssetsPrefix is the path the page's script and style are served under.
const AssetsPrefix = "/playground/"

// Options configure the page. The zero value serves a playground for
// /graphql with an empty headers editor.
type Options struct {
	// Endpoint is the GraphQL endpoint's path (default /graphql).
	Endpoint string
	// Headers prefill the headers editor, e.g. an Authorization
	// placeholder that says where tokens come from.
	Headers map[string]string
	// TokenIssuer is the base URL of a development OpenID Connect issuer
	// whose demo clients the page may ask for tokens (the sandbox's
	// /oidc); empty hides the demo-token panel.
	TokenIssuer string
}

// Handler serves the page at GET / and its assets under AssetsPrefix. The
// assets' URLs carry their content hash, so browsers may cache them for
// good; the page itself is never cached.
func Handler(opts Options) http.Handler {
	h, err := build(opts)
	if err != nil {
		// Only a build without the embedded assets gets here.
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		})
	}
	return h
}

func build(opts Options) (http.Handler, error) {
	if opts.Endpoint == "" {
		opts.Endpoint = "/graphql"
	}
	files := map[string]asset{}
	names := map[string]string{} // "playground.js" -> "playground.<hash>.js"
	for _, name := range []string{"playground.js", "playground.css"} {
		body, err := fs.ReadFile(assets, "assets/"+name)
		if err != nil {
			return nil, fmt.Errorf("playground: %w", err)
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		names[name] = hashed
		files[hashed] = asset{body: body, contentType: contentTypes[ext]}
	}
	headers, err := headersJSON(opts.Headers)
	if err != nil {
		return nil, err
	}
	var page bytes.Buffer
	err = pageTemplate.Execute(&page, pageData{
		Script:      AssetsPrefix + names["playground.js"],
		Style:       AssetsPrefix + names["playground.css"],
		Endpoint:    opts.Endpoint,
		Headers:     headers,
		TokenIssuer: strings.TrimRight(opts.TokenIssuer, "/"),
	})
	if err != nil {
		return nil, fmt.Errorf("playground: render the page: %w", err)
	}
	mux := http.NewServeMux()
	html := page.Bytes()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(html)
	})
	mux.HandleFunc("GET "+AssetsPrefix+"{name}", func(w http.ResponseWriter, r *http.Request) {
		a, ok := files[r.PathValue("name")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", a.contentType)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
	})
	return mux, nil
}

type asset struct {
	body        []byte
	contentType string
}

var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

// headersJSON is the headers editor's initial text: pretty JSON, keys in
// order.
func headersJSON(h map[string]string) (string, error) {
	if len(h) == 0 {
		return "{}", nil
	}
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return "", fmt.Errorf("playground: headers: %w", err)
	}
	return string(b), nil
}

type pageData struct {
	Script, Style, Endpoint, Headers, TokenIssuer string
}

// pageTemplate is the whole page: html/template escapes every attribute.
var pageTemplate = template.Must(template.New("playground").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>klynge playground</title>
<link rel="stylesheet" href="{{.Style}}">
<script src="{{.Script}}" defer></script>
</head>
<body>
<noscript>The playground needs JavaScript. The GraphQL endpoint is {{.Endpoint}}; docs/CLIENTS.md shows how to call it.</noscript>
<div id="klynge-playground" data-endpoint="{{.Endpoint}}" data-headers="{{.Headers}}"{{if .TokenIssuer}} data-token-issuer="{{.TokenIssuer}}"{{end}}></div>
</body>
</html>
`))
