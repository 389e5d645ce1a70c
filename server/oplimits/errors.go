package oplimits

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/gqlerror"
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
