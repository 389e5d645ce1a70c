package traffic

import "encoding/json"

// Malform keeps a JSON object well-formed but breaks its contract: every
// top-level field changes JSON type (arrays and numbers become strings,
// strings become numbers, objects become arrays). A typed decoder of the
// system's contract fails on it, as it would on a buggy upstream release.
func Malform(body []byte) []byte {
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil || len(obj) == 0 {
		return []byte(`{"malformed":true,"resourceType":7}` + "\n")
	}
	for k, v := range obj {
		switch v.(type) {
		case string:
			obj[k] = 12345
		case map[string]any:
			obj[k] = []any{"malformed"}
		default: // arrays, numbers, booleans, null
			obj[k] = "malformed"
		}
	}
	out, _ := json.Marshal(obj) // map keys are sorted: still deterministic
	return append(out, '\n')
}
