package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

const checkpointFormat = "klynge-audit-checkpoint-v1"

// Checkpoint is the chain head as the log saw it at a time, sealed with the
// chain key and written outside the database (CheckpointFile). The chain
// alone cannot show that its newest records were cut off and the head moved
// back, nor that an old backup was restored: a checkpoint kept elsewhere
// can, since the log must still hold the record it names, with that hash.
type Checkpoint struct {
	Seq   int64     `json:"seq"`
	Hash  string    `json:"hash"`
	At    time.Time `json:"at"`
	KeyID string    `json:"keyId"`
	// MAC is the lower-case hex HMAC-SHA256 under the key KeyID names of
	// text("klynge-audit-checkpoint-v1") text(KeyID) int64(Seq) text(Hash)
	// int64(At in microseconds), encoded as in RecordHash.
	MAC string `json:"mac"`
	// Line is the checkpoint's line in its file (ReadCheckpoints), for
	// reports.
	Line int `json:"-"`
}

func (k ChainKey) checkpointMAC(c Checkpoint) string {
	b := appendText(nil, checkpointFormat)
	b = appendText(b, k.id)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Seq))
	b = appendText(b, c.Hash)
	b = binary.BigEndian.AppendUint64(b, uint64(c.At.UnixMicro()))
	return k.mac(b)
}

// CheckpointFile is a file of checkpoints, one JSON object per line,
// appended to and synced to disk. Put it where the database's
// administrators cannot write (another volume, another host's mount), or
// ship it to a log store they do not control.
type CheckpointFile struct {
	path string
	mu   sync.Mutex
}

// OpenCheckpointFile checks that path can be appended to (creating it,
// readable by its owner only) and returns it.
func OpenCheckpointFile(path string) (*CheckpointFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: checkpoint file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("audit: checkpoint file: %w", err)
	}
	return &CheckpointFile{path: path}, nil
}

// Path is the file's path.
func (f *CheckpointFile) Path() string { return f.path }

func (f *CheckpointFile) append(c Checkpoint) error {
	line, err := json.Marshal(c)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	file, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	// One write of the whole line: appends do not interleave.
	if _, err := file.Write(append(line, '\n')); err != nil {
		file.Close()
		return err
	}
	if err := file.Sync(); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}

// ReadCheckpoints reads a checkpoint file. A last line without its newline
// is a write the process did not finish (it was killed) and is skipped;
// any other line that is not a checkpoint is an error naming it.
func ReadCheckpoints(path string) ([]Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit: checkpoints: %w", err)
	}
	var out []Checkpoint
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var c Checkpoint
		if err := json.Unmarshal(line, &c); err != nil {
			if !bytes.HasSuffix(data, []byte("\n")) && bytes.HasSuffix(data, line) {
				break // the torn last line of a killed process
			}
			return nil, fmt.Errorf("audit: checkpoints %s: line %d is not a checkpoint", path, n)
		}
		c.Line = n
		out = append(out, c)
	}
	return out, sc.Err()
}

// Checkpoint writes a checkpoint of the current chain head to
// Options.Checkpoints (if the head moved since the last one) and returns
// it.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	if l.opts.Checkpoints == nil {
		return Checkpoint{}, errors.New("audit: checkpoint: no checkpoint file (Options.Checkpoints)")
	}
	head, err := l.store.Head(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: checkpoint: %w", err)
	}
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	if head.Seq == 0 || head == l.lastCheckpoint {
		return Checkpoint{}, nil
	}
	k := l.opts.Keys.Current()
	c := Checkpoint{Seq: head.Seq, Hash: head.Hash, At: normaliseTime(time.Now()), KeyID: k.id}
	c.MAC = k.checkpointMAC(c)
	if err := l.opts.Checkpoints.append(c); err != nil {
		return Checkpoint{}, fmt.Errorf("audit: checkpoint: %w", err)
	}
	l.lastCheckpoint = head
	return c, nil
}

// keepCheckpoints writes a checkpoint every interval until stop closes.
func (l *Log) keepCheckpoints(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(l.opts.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), l.opts.CommitTimeout)
			if _, err := l.Checkpoint(ctx); err != nil {
				l.opts.Logger.Error("audit: checkpoint not written", "error", err)
			}
			cancel()
		}
	}
}

// finalCheckpoint stops the checkpoint goroutine and writes the head the
// log closes with.
func (l *Log) finalCheckpoint() {
	if l.stopCheckpoints == nil {
		return
	}
	close(l.stopCheckpoints)
	<-l.checkpointsDone
	ctx, cancel := context.WithTimeout(context.Background(), l.opts.CommitTimeout)
	defer cancel()
	if _, err := l.Checkpoint(ctx); err != nil {
		l.opts.Logger.Error("audit: last checkpoint not written", "error", err)
	}
}
