package gqlhttp

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// StatusCarrier is implemented by errors that know the HTTP status they
// must be answered with (e.g. a guard's backend being unavailable). Wrap one
// in a *gqlerror.Error's Err to choose the status of a request error.
type StatusCarrier interface {
	HTTPStatus() int
}

// wireResponse is graphql.Response with `data` left out when it is nil, as
// the specification asks for requests that fail before execution.
type wireResponse struct {
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

// RequestErrorStatus is the status of a response without data, by media
// type: under application/graphql-response+json a 4xx (401 and 403 for
// UNAUTHENTICATED and FORBIDDEN, else 400); under application/json 200, as
// the specification asks for well-formed requests. An error carrying its
// own status (StatusCarrier) wins under both.
func RequestErrorStatus(media string, errs gqlerror.List) int {
	for _, e := range errs {
		var sc StatusCarrier
		if e != nil && e.Err != nil && errors.As(e.Err, &sc) {
			return sc.HTTPStatus()
		}
	}
	if media != MediaGraphQLResponse {
		return http.StatusOK
	}
	for _, e := range errs {
		if e == nil {
			continue
		}
		switch e.Extensions["code"] {
		case "UNAUTHENTICATED":
			return http.StatusUnauthorized
		case "FORBIDDEN":
			return http.StatusForbidden
		}
	}
	return http.StatusBadRequest
}

func writeResponse(w http.ResponseWriter, media string, status int, resp *graphql.Response) {
	body, err := json.Marshal(wireResponse{Errors: resp.Errors, Data: resp.Data, Extensions: resp.Extensions})
	if err != nil {
		// Only a resolver's unmarshalable value can get here; answer
		// without it rather than with half a body.
		status = http.StatusInternalServerError
		body = []byte(`{"errors":[{"message":"internal error: the response could not be encoded","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteError answers r with one GraphQL error, in the media type the client
// accepts (application/json when it accepts neither). Middlewares that
// refuse a request (size, CSRF, rate limits) use it so that every refusal
// reads like a GraphQL response.
func WriteError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	media, ok := Negotiate(r.Header.Get("Accept"))
	if !ok {
		media = MediaJSON
	}
	writeError(w, media, status, code, message)
}

func writeError(w http.ResponseWriter, media string, status int, code, message string) {
	writeResponse(w, media, status, &graphql.Response{Errors: gqlerror.List{{
		Message:    message,
		Extensions: map[string]any{"code": code},
	}}})
}

func writeRequestError(w http.ResponseWriter, media string, e *RequestError) {
	if e.Allow != "" {
		w.Header().Set("Allow", e.Allow)
	}
	writeError(w, media, e.Status, e.Code, e.Message)
}
