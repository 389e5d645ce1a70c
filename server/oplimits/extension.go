package oplimits

import (
	"context"
	"crypto/sha256"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/sundhedsklynge/klynge/errcode"
)

// Extension enforces the limits as a gqlgen handler extension. Register it
// (srv.Use) after any extension that turns a persisted-document id into a
// document, so that the document it checks is the one that will run.
type Extension struct {
	cfg    Config
	schema *ast.Schema
	// passed remembers documents (by hash) whose structure passed, so that
	// a portal's repeated queries are lexed and parsed once here, as gqlgen's
	// own query cache does for validation.
	passed *lru.LRU[struct{}]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*Extension)(nil)

// New returns the extension for cfg (zero fields take Defaults).
func New(cfg Config) *Extension {
	return &Extension{cfg: cfg.withDefaults(), passed: lru.New[struct{}](1000)}
}

// Config is the effective configuration, defaults filled in.
func (e *Extension) Config() Config { return e.cfg }

// ExtensionName names the extension in gqlgen's stats.
func (e *Extension) ExtensionName() string { return "Limits" }

// Validate keeps the schema, which the cost model reads.
func (e *Extension) Validate(es graphql.ExecutableSchema) error {
	if es == nil || es.Schema() == nil {
		return errors.New("limits: the executable schema has no schema")
	}
	e.schema = es.Schema()
	return nil
}

// MutateOperationParameters checks size, tokens and structure of the raw
// document, before gqlgen parses and validates it.
func (e *Extension) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	return e.CheckDocument(ctx, raw.Query)
}

// CheckDocument applies the document limits to query. A document that does
// not parse passes: gqlgen reports the parse error with its location.
func (e *Extension) CheckDocument(ctx context.Context, query string) *gqlerror.Error {
	if query == "" {
		return nil
	}
	c := e.cfg
	sum := sha256.Sum256([]byte(query))
	key := string(sum[:])
	if _, ok := e.passed.Get(ctx, key); ok {
		return nil
	}
	// The lexical pass comes first: it stops at the limits, so it reports
	// the most telling problem (10,000 aliases, not "too many bytes") at
	// the price of the limit, not of the document.
	tokens, aliases := lexicalShape(query, c.MaxTokens, c.MaxAliases)
	switch {
	case exceeds(aliases, c.MaxAliases):
		return refusal(errcode.AliasLimitExceeded, "limits.maxAliases", aliases, c.MaxAliases,
			"the document uses more than %d aliases (limits.maxAliases)", c.MaxAliases)
	case exceeds(tokens, c.MaxTokens):
		return refusal(errcode.TokenLimitExceeded, "limits.maxTokens", tokens, c.MaxTokens,
			"the document has more than %d tokens (limits.maxTokens)", c.MaxTokens)
	case exceeds(len(query), c.MaxDocumentBytes):
		return refusal(errcode.DocumentTooLarge, "limits.maxDocumentBytes", len(query), c.MaxDocumentBytes,
			"the document is %d bytes; the limit is %d (limits.maxDocumentBytes)", len(query), c.MaxDocumentBytes)
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil
	}
	if gerr := checkStructure(doc, c); gerr != nil {
		return gerr
	}
	e.passed.Add(ctx, key, struct{}{})
	return nil
}

// MutateOperationContext prices the validated operation with its coerced
// variables and refuses it when it costs more than MaxCost.
func (e *Extension) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if e.cfg.MaxCost < 0 || e.schema == nil || opCtx.Operation == nil {
		return nil
	}
	cost := Cost(e.schema, opCtx.Operation, opCtx.Doc.Fragments, opCtx.Variables, e.cfg)
	if exceeds(cost, e.cfg.MaxCost) {
		return refusal(errcode.CostLimitExceeded, "limits.maxCost", cost, e.cfg.MaxCost,
			"the operation would cost %d; the limit is %d (limits.maxCost). Ask for fewer citizens, smaller pages (first) or fewer nested lists", cost, e.cfg.MaxCost)
	}
	return nil
}
