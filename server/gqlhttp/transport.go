package gqlhttp

import (
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/sundhedsklynge/klynge/errcode"
)

// allowedMethods is the Allow header of 405 answers and OPTIONS.
const allowedMethods = "GET, POST, OPTIONS"

// Transport serves GET and POST (and answers OPTIONS) for every HTTP request
// that is not an upgrade. Register streaming transports (SSE, multipart)
// before it: it accepts everything they would.
type Transport struct {
	// MaxBodyBytes bounds a POST body (DefaultMaxBodyBytes when zero).
	MaxBodyBytes int64
}

var _ graphql.Transport = Transport{}

// Supports every plain HTTP request, so that wrong methods and content
// types get a specification status (405, 415) instead of gqlgen's generic
// "transport not supported".
func (Transport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") == "" }

// Do answers one request.
func (t Transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := Negotiate(r.Header.Get("Accept"))
	if !ok {
		writeError(w, MediaJSON, errcode.NotAcceptable,
			"the Accept header allows neither application/graphql-response+json nor application/json")
		return
	}
	var (
		req  *Request
		rerr *RequestError
	)
	switch r.Method {
	case http.MethodGet:
		req, rerr = DecodeGET(r)
		if rerr == nil && !queryOnly(req.Params) {
			rerr = mutationOverGET()
		}
	case http.MethodPost:
		req, rerr = DecodePOST(r, t.MaxBodyBytes)
	case http.MethodOptions:
		w.Header().Set("Allow", allowedMethods)
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		rerr = &RequestError{Code: errcode.MethodNotAllowed, Allow: allowedMethods,
			Message: "GraphQL is served over GET (queries) and POST; " + r.Method + " is not allowed"}
	}
	if rerr != nil {
		writeRequestError(w, media, rerr)
		return
	}

	ctx := r.Context()
	if req.DocumentID != "" {
		ctx = WithDocumentID(ctx, req.DocumentID)
	}
	params := req.Params
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}

	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		writeResponse(w, media, RequestErrorStatus(media, errs), resp)
		return
	}
	if opCtx.Operation.Operation == ast.Subscription {
		writeRequestError(w, media, &RequestError{Code: errcode.BadRequest,
			Message: "subscriptions are served as streams: over WebSocket (graphql-transport-ws), or POST with Accept: text/event-stream (GraphQL over SSE)"})
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		// A persisted document named by id is only known here.
		writeRequestError(w, media, mutationOverGET())
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if resp == nil {
		return // the client went away
	}
	status := http.StatusOK
	if len(resp.Data) == 0 {
		status = RequestErrorStatus(media, resp.Errors)
	}
	writeResponse(w, media, status, resp)
}

func mutationOverGET() *RequestError {
	return &RequestError{Code: errcode.MethodNotAllowed, Allow: "POST",
		Message: "only queries may be sent with GET; send mutations and subscriptions with POST"}
}

// queryOnly reports whether the operation a GET names is a query, judged
// from the document alone so that a mutation is refused before any
// validation or limit runs. A document that does not parse is left to the
// executor, which reports the parse error properly.
func queryOnly(p *graphql.RawParams) bool {
	if p.Query == "" {
		return true
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: p.Query})
	if err != nil {
		return true
	}
	var op *ast.OperationDefinition
	if p.OperationName == "" && len(doc.Operations) == 1 {
		op = doc.Operations[0]
	} else {
		op = doc.Operations.ForName(p.OperationName)
	}
	return op == nil || op.Operation == ast.Query
}
