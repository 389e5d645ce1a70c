package audit

import (
	"errors"
	"fmt"
)

// ErrClosed is returned by every method of a Log after Close.
var ErrClosed = errors.New("audit: log is closed")

// ErrNotCommitted marks an Append whose records are known not to be in the
// log: they were invalid, the log was closed, or the caller's context ended
// while they were still queued. The caller may retry them.
var ErrNotCommitted = errors.New("audit: records not committed")

// notCommittedError is an Append error that proves the records absent.
type notCommittedError struct{ cause error }

func (e notCommittedError) Error() string        { return e.cause.Error() }
func (e notCommittedError) Unwrap() error        { return e.cause }
func (e notCommittedError) Is(target error) bool { return target == ErrNotCommitted }

func notCommitted(cause error) error {
	return fmt.Errorf("audit: append: records not committed: %w", notCommittedError{cause})
}
