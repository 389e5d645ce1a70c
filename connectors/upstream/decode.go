package upstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DecodeJSON decodes one JSON value from data into out, for a response of
// system's operation op. Malformed JSON, a value of the wrong type and
// trailing data become a *DecodeError naming the JSON path
// ("contacts[3].cpr") but never the value. Unknown fields are ignored.
func DecodeJSON(system, op string, data []byte, out any) error {
	return DecodeJSONAt(system, op, "", data, out)
}

// DecodeJSONAt is DecodeJSON for a value found at path within a larger
// response (a FHIR Bundle entry's resource: "entry[4].resource"), so that
// errors name the field from the response's root.
func DecodeJSONAt(system, op, path string, data []byte, out any) error {
	// json.Unmarshal, not a Decoder: it scans a body already in memory
	// once less, and refuses trailing data after the value.
	err := json.Unmarshal(data, out)
	if err == nil {
		return nil
	}
	return &DecodeError{System: system, Op: op, Field: joinPath(path, decodeErrorPath(data, err)), Err: describeJSONError(err)}
}

// describeJSONError restates a decoding error without the offending value:
// encoding/json quotes numbers ("number 6703851234"), which may be a CPR.
func describeJSONError(err error) error {
	var (
		typeErr   *json.UnmarshalTypeError
		syntaxErr *json.SyntaxError
	)
	switch {
	case errors.As(err, &typeErr):
		got, _, _ := strings.Cut(typeErr.Value, " ")
		want := "a different type"
		if typeErr.Type != nil {
			want = jsonKind(typeErr.Type.Kind().String())
		}
		return fmt.Errorf("want %s, got %s", want, got)
	case errors.As(err, &syntaxErr):
		switch {
		case syntaxErr.Offset == 0:
			return errors.New("empty body, want JSON")
		case strings.Contains(syntaxErr.Error(), "after top-level value"):
			return errors.New("trailing data after the JSON value")
		case strings.Contains(syntaxErr.Error(), "unexpected end"):
			return errors.New("truncated JSON")
		}
		return fmt.Errorf("malformed JSON at byte %d", syntaxErr.Offset)
	}
	// Errors from UnmarshalJSON methods and the like; they are ours.
	return err
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "integer"
	case "float32", "float64":
		return "number"
	}
	return goKind
}

// decodeErrorPath finds the JSON path of the value at which decoding
// failed, by replaying the tokens up to the error's byte offset.
// encoding/json reports only struct field names ("contacts.cpr"); the
// array index is what lets someone find the bad record.
func decodeErrorPath(data []byte, err error) string {
	var offset int64
	var (
		typeErr   *json.UnmarshalTypeError
		syntaxErr *json.SyntaxError
	)
	switch {
	case errors.As(err, &typeErr):
		offset = typeErr.Offset
	case errors.As(err, &syntaxErr):
		offset = syntaxErr.Offset
	default:
		offset = int64(len(data))
	}
	return pathAtOffset(data, offset)
}

// pathFrame is one open object or array while replaying tokens.
type pathFrame struct {
	array     bool
	index     int    // next element index (arrays)
	key       string // last key read (objects)
	expectKey bool
}

// pathAtOffset returns the path of the value being read when the decoder
// had consumed offset bytes. On malformed input it returns where the replay
// stopped: the position of the value that could not be read.
func pathAtOffset(data []byte, offset int64) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []pathFrame
	for {
		tok, err := dec.Token()
		if err != nil {
			return stackPath(stack)
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			closed := stackPath(stack)
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			endValue(stack)
			if dec.InputOffset() >= offset {
				return closed
			}
			continue
		}
		if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].expectKey {
			key, _ := tok.(string)
			stack[n-1].key = key
			stack[n-1].expectKey = false
			continue
		}
		path := stackPath(stack)
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, pathFrame{array: d == '[', expectKey: d == '{'})
		} else {
			endValue(stack)
		}
		if dec.InputOffset() >= offset {
			return path
		}
	}
}

// stackPath is the path of the next value in the innermost open container:
// "contacts[2]" in an array, "contacts[1].cpr" after a key.
func stackPath(stack []pathFrame) string {
	var b strings.Builder
	for i, f := range stack {
		if f.array {
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
			continue
		}
		if f.expectKey && i == len(stack)-1 {
			break // between members: the object itself
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(f.key)
	}
	return b.String()
}

// endValue advances the innermost frame past a complete value.
func endValue(stack []pathFrame) {
	if n := len(stack); n > 0 {
		if stack[n-1].array {
			stack[n-1].index++
		} else {
			stack[n-1].expectKey = true
		}
	}
}

func joinPath(prefix, path string) string {
	switch {
	case prefix == "":
		return path
	case path == "":
		return prefix
	case strings.HasPrefix(path, "["):
		return prefix + path
	}
	return prefix + "." + path
}
