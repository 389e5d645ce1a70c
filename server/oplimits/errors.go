package oplimits

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes (`extensions.code`) of refused operations.
const (
	CodeDocumentTooLarge = "DOCUMENT_TOO_LARGE"
	CodeTokenLimit       = "TOKEN_LIMIT_EXCEEDED"
	CodeDepthLimit       = "DEPTH_LIMIT_EXCEEDED"
	CodeAliasLimit       = "ALIAS_LIMIT_EXCEEDED"
	CodeRootFieldLimit   = "ROOT_FIELD_LIMIT_EXCEEDED"
	CodeDirectiveLimit   = "DIRECTIVE_LIMIT_EXCEEDED"
	CodeCostLimit        = "COST_LIMIT_EXCEEDED"
)

// refusal is a limit error: the code, and extensions naming the limit so
// that a client can show or log it without parsing the message.
func refusal(code, key string, value, limit int, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{
		Message: fmt.Sprintf(format, args...),
		Extensions: map[string]any{
			"code":  code,
			"limit": map[string]any{"key": key, "max": limit, "actual": value},
		},
	}
}
