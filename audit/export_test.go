package audit

// Hooks for the black-box tests in package audit_test. They observe or
// break the log from inside; production code has no way to reach them.

// QueuedForTest is the number of appends waiting for the writer.
func QueuedForTest(l *Log) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue)
}

// CommittingForTest is the number of records in the transaction under way.
func CommittingForTest(l *Log) int64 { return l.committing.Load() }

// CloseDatabaseForTest closes the log's database handles behind its back,
// as a database that goes away would.
func CloseDatabaseForTest(l *Log) { l.store.Close() }
