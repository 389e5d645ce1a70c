package gqlhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/sundhedsklynge/klynge/errcode"
)

// DefaultMaxBodyBytes bounds a POST body when no bound is configured.
const DefaultMaxBodyBytes = 1 << 20

// Request is one decoded GraphQL-over-HTTP request.
type Request struct {
	// Params are what gqlgen's executor takes.
	Params *graphql.RawParams
	// DocumentID is the `documentId` parameter of the persisted-documents
	// proposal ("sha256:<hex>"), empty when absent.
	DocumentID string
}

// RequestError is a request that is not well-formed GraphQL over HTTP. It is
// answered with its code's status whatever the response media type.
type RequestError struct {
	Code    string
	Message string
	// Allow is sent as the Allow header with 405.
	Allow string
}

func (e *RequestError) Error() string { return e.Message }

func badRequest(format string, args ...any) *RequestError {
	return &RequestError{Code: errcode.BadRequest, Message: fmt.Sprintf(format, args...)}
}

// wireRequest keeps each parameter raw so that its JSON type can be checked
// and named in the error, instead of a generic "cannot unmarshal".
type wireRequest struct {
	Query         json.RawMessage `json:"query"`
	OperationName json.RawMessage `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
	DocumentID    json.RawMessage `json:"documentId"`
}

// DecodePOST reads and checks a POST request: Content-Type application/json
// (UTF-8), a body of at most maxBody bytes (DefaultMaxBodyBytes when <= 0)
// holding one JSON object. A JSON array (a batch) is refused from its first
// byte, without decoding its elements.
func DecodePOST(r *http.Request, maxBody int64) (*Request, *RequestError) {
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	body, rerr := readBody(r, maxBody)
	if rerr != nil {
		return nil, rerr
	}
	return DecodeBody(body)
}

// DecodeBody decodes a POST body that has been read and bounded.
func DecodeBody(body []byte) (*Request, *RequestError) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, badRequest("the request body is empty; send a JSON object with a query")
	}
	switch trimmed[0] {
	case '[':
		return nil, &RequestError{Code: errcode.BatchNotSupported,
			Message: "batched operations (a JSON array) are not supported: send 1 operation per request"}
	case '{':
	default:
		return nil, badRequest("the request body must be a JSON object")
	}
	var wire wireRequest
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&wire); err != nil {
		return nil, badRequest("the request body is not valid JSON: %s", jsonProblem(err))
	}
	if dec.More() {
		return nil, badRequest("the request body must hold exactly one JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest("the request body must hold exactly one JSON object")
	}
	return fromWire(wire)
}

func fromWire(wire wireRequest) (*Request, *RequestError) {
	p := &graphql.RawParams{}
	out := &Request{Params: p}
	var err *RequestError
	if p.Query, err = stringParam("query", wire.Query); err != nil {
		return nil, err
	}
	if p.OperationName, err = stringParam("operationName", wire.OperationName); err != nil {
		return nil, err
	}
	if out.DocumentID, err = stringParam("documentId", wire.DocumentID); err != nil {
		return nil, err
	}
	if p.Variables, err = objectParam("variables", wire.Variables); err != nil {
		return nil, err
	}
	if p.Extensions, err = objectParam("extensions", wire.Extensions); err != nil {
		return nil, err
	}
	if p.Query == "" && out.DocumentID == "" && p.Extensions["persistedQuery"] == nil {
		return nil, badRequest("the query parameter is required (a GraphQL document as a string), unless the request names a persisted document")
	}
	return out, nil
}

// DecodeGET reads the parameters of a GET request from its query string.
// variables and extensions are URL-encoded JSON objects.
func DecodeGET(r *http.Request) (*Request, *RequestError) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("the query string is malformed: %v", err)
	}
	wire := wireRequest{}
	for name, dst := range map[string]*json.RawMessage{
		"query": &wire.Query, "operationName": &wire.OperationName, "documentId": &wire.DocumentID,
	} {
		if vs, ok := values[name]; ok {
			if len(vs) > 1 {
				return nil, badRequest("the %s parameter is given %d times; give it once", name, len(vs))
			}
			raw, _ := json.Marshal(vs[0])
			*dst = raw
		}
	}
	for name, dst := range map[string]*json.RawMessage{"variables": &wire.Variables, "extensions": &wire.Extensions} {
		if vs, ok := values[name]; ok {
			if len(vs) > 1 {
				return nil, badRequest("the %s parameter is given %d times; give it once", name, len(vs))
			}
			if !json.Valid([]byte(vs[0])) {
				return nil, badRequest("the %s parameter must be a URL-encoded JSON object", name)
			}
			*dst = json.RawMessage(vs[0])
		}
	}
	return fromWire(wire)
}

func stringParam(name string, raw json.RawMessage) (string, *RequestError) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", badRequest("the %s parameter must be a string, got %s", name, jsonKind(raw))
	}
	return s, nil
}

func objectParam(name string, raw json.RawMessage) (map[string]any, *RequestError) {
	if isNull(raw) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, badRequest("the %s parameter must be a JSON object, got %s", name, jsonKind(raw))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	// Numbers stay json.Number so that gqlgen coerces Int and Float exactly.
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, badRequest("the %s parameter is not valid JSON: %s", name, jsonProblem(err))
	}
	return m, nil
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// jsonProblem describes a decoding error without quoting the body, which
// may hold CPR numbers.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("syntax error at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("%s has the wrong type", typ.Field)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "it ends too early"
	}
	return "it cannot be decoded"
}

func checkContentType(ct string) *RequestError {
	unsupported := func(msg string) *RequestError {
		return &RequestError{Code: errcode.UnsupportedMediaType, Message: msg}
	}
	if strings.TrimSpace(ct) == "" {
		return unsupported("a POST needs Content-Type: application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != MediaJSON {
		return unsupported("a POST needs Content-Type: application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return unsupported("the request must be UTF-8 encoded, got charset " + cs)
	}
	return nil
}

func readBody(r *http.Request, maxBody int64) ([]byte, *RequestError) {
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	if r.ContentLength > maxBody {
		return nil, tooLarge(maxBody)
	}
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return nil, tooLarge(maxErr.Limit)
	case err != nil:
		return nil, badRequest("the request body could not be read")
	case int64(len(body)) > maxBody:
		return nil, tooLarge(maxBody)
	}
	return body, nil
}

func tooLarge(limit int64) *RequestError {
	return &RequestError{Code: errcode.RequestTooLarge,
		Message: fmt.Sprintf("the request body exceeds the limit of %d bytes (limits.maxRequestBytes)", limit)}
}
