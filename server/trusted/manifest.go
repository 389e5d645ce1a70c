package trusted

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Operation is one trusted document.
type Operation struct {
	// ID is the lowercase hex sha256 of Body.
	ID string
	// Name and Type (query, mutation, subscription) come from an Apollo
	// manifest; a Codegen manifest has neither.
	Name string
	Type string
	Body string
}

// Manifest is a set of trusted documents by id.
type Manifest struct {
	ops map[string]Operation
}

// apolloFormat is the `format` of Apollo's persisted-query manifests.
const apolloFormat = "apollo-persisted-query-manifest"

// LoadManifest reads a manifest file (see ParseManifest).
func LoadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trusted documents: %w", err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("trusted documents %s: %w", path, err)
	}
	return m, nil
}

// ParseManifest reads either manifest format:
//
//   - Apollo: {"format":"apollo-persisted-query-manifest","version":1,
//     "operations":[{"id","name","type","body"}]}
//   - GraphQL Codegen (client preset, persistedDocuments):
//     {"<sha256>": "<document>", ...}, a key may carry a "sha256:" prefix.
//
// Every id must be the sha256 of its document: a manifest made with another
// hash (Relay's md5, say) is refused with the first id that does not match,
// rather than trusting documents under names that do not fit them.
func ParseManifest(data []byte) (*Manifest, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("the manifest must be a JSON object: %w", err)
	}
	m := &Manifest{ops: map[string]Operation{}}
	if format, ok := probe["format"]; ok {
		var f string
		if json.Unmarshal(format, &f) != nil || f != apolloFormat {
			return nil, fmt.Errorf("format: must be %q, got %s", apolloFormat, format)
		}
		if err := m.addApollo(data); err != nil {
			return nil, err
		}
	} else if err := m.addCodegen(probe); err != nil {
		return nil, err
	}
	if len(m.ops) == 0 {
		return nil, errors.New("the manifest lists no operations")
	}
	return m, nil
}

func (m *Manifest) addApollo(data []byte) error {
	var doc struct {
		Version    int `json:"version"`
		Operations []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Type string `json:"type"`
			Body string `json:"body"`
		} `json:"operations"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("apollo manifest: %w", err)
	}
	if doc.Version != 1 {
		return fmt.Errorf("version: must be 1, got %d", doc.Version)
	}
	for i, op := range doc.Operations {
		where := fmt.Sprintf("operations[%d]", i)
		if op.Name != "" {
			where += " (" + op.Name + ")"
		}
		if op.Body == "" {
			return fmt.Errorf("%s: body is required", where)
		}
		if err := m.add(where, Operation{ID: op.ID, Name: op.Name, Type: op.Type, Body: op.Body}); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manifest) addCodegen(entries map[string]json.RawMessage) error {
	for key, raw := range entries {
		var body string
		if err := json.Unmarshal(raw, &body); err != nil {
			return fmt.Errorf("%q: the document must be a string", key)
		}
		if err := m.add(fmt.Sprintf("%q", key), Operation{ID: key, Body: body}); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manifest) add(where string, op Operation) error {
	id, err := NormaliseID(op.ID)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if want := Hash(op.Body); id != want {
		return fmt.Errorf("%s: id %s is not the sha256 of its body (%s)", where, id, want)
	}
	op.ID = id
	m.ops[id] = op
	return nil
}

// Lookup finds a trusted document by (normalised) id.
func (m *Manifest) Lookup(id string) (Operation, bool) {
	if m == nil {
		return Operation{}, false
	}
	op, ok := m.ops[id]
	return op, ok
}

// Len is the number of trusted documents.
func (m *Manifest) Len() int {
	if m == nil {
		return 0
	}
	return len(m.ops)
}

// Hash is a document's id: the lowercase hex sha256 of its exact text.
func Hash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// NormaliseID accepts "<hex>" or "sha256:<hex>" (64 hex digits, any case)
// and returns the lowercase hex.
func NormaliseID(id string) (string, error) {
	if rest, ok := strings.CutPrefix(id, "sha256:"); ok {
		id = rest
	} else if algo, _, found := strings.Cut(id, ":"); found {
		return "", fmt.Errorf("document ids must be sha256 hashes, got the %q scheme", algo)
	}
	if len(id) != 64 {
		return "", fmt.Errorf("a document id must be 64 hex digits (a sha256), got %d characters", len(id))
	}
	if _, err := hex.DecodeString(id); err != nil {
		return "", errors.New("a document id must be 64 hex digits (a sha256)")
	}
	return strings.ToLower(id), nil
}

// OperationNames are the names of the manifest's operations: the Apollo
// manifest's names, and the names of the operations its documents define
// (a Codegen manifest names none), sorted. They are the operation names
// metrics may show (observe.Metrics.KnowOperationNames).
func (m *Manifest) OperationNames() []string {
	if m == nil {
		return nil
	}
	set := map[string]bool{}
	for _, op := range m.ops {
		if op.Name != "" {
			set[op.Name] = true
		}
		doc, err := parser.ParseQuery(&ast.Source{Input: op.Body})
		if err != nil {
			continue
		}
		for _, o := range doc.Operations {
			if o.Name != "" {
				set[o.Name] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}
