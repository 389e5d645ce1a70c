package gqlhttp

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sundhedsklynge/klynge/errcode"
)

// wireResponse is graphql.Response with `data` left out when it is nil, as
// the specification asks for requests that fail before execution.
type wireResponse struct {
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

// RequestErrorStatus is the status of a response without data: the status
// of the first error's code (errcode.Status) that is not a plain 400, else
// 400, under application/graphql-response+json; under application/json 200,
// as the specification asks for well-formed requests, unless a code's status
// is a 5xx (the gateway's fault, never the request's), which wins under
// both.
func RequestErrorStatus(media string, errs gqlerror.List) int {
	codes := make([]string, 0, len(errs))
	for _, e := range errs {
		if e != nil {
			code, _ := e.Extensions["code"].(string)
			codes = append(codes, code)
		}
	}
	for _, c := range codes {
		if s := errcode.Status(c); s >= 500 {
			return s
		}
	}
	if media != MediaGraphQLResponse {
		return http.StatusOK
	}
	for _, c := range codes {
		if s := errcode.Status(c); s != http.StatusBadRequest {
			return s
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
		body = []byte(`{"errors":[{"message":"internal error: the response could not be encoded","extensions":{"code":"` + errcode.InternalServerError + `"}}]}`)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	if secs, ok := retryAfter(resp.Errors); ok && status >= 500 {
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// retryAfter is the first error's extensions.retryAfter (whole seconds),
// which an error that refuses a whole operation for a while carries (e.g.
// ACCESS_LOG_UNAVAILABLE), so that HTTP clients get it as Retry-After.
func retryAfter(errs gqlerror.List) (int, bool) {
	for _, e := range errs {
		if e == nil {
			continue
		}
		switch v := e.Extensions["retryAfter"].(type) {
		case int:
			return v, v > 0
		case float64:
			return int(v), v >= 1
		}
	}
	return 0, false
}

// WriteError answers r with one GraphQL error of code, with the code's HTTP
// status (errcode.Status), in the media type the client accepts
// (application/json when it accepts neither). Middlewares that refuse a
// request (size, CSRF, rate limits) use it so that every refusal reads like
// a GraphQL response.
func WriteError(w http.ResponseWriter, r *http.Request, code, message string) {
	media, ok := Negotiate(r.Header.Get("Accept"))
	if !ok {
		media = MediaJSON
	}
	writeError(w, media, code, message)
}

func writeError(w http.ResponseWriter, media string, code, message string) {
	writeResponse(w, media, errcode.Status(code), &graphql.Response{Errors: gqlerror.List{{
		Message:    message,
		Extensions: map[string]any{"code": code},
	}}})
}

func writeRequestError(w http.ResponseWriter, media string, e *RequestError) {
	if e.Allow != "" {
		w.Header().Set("Allow", e.Allow)
	}
	writeError(w, media, e.Code, e.Message)
}
