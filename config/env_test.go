package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// leafKey is one configuration setting: its YAML path, the environment
// variable that overrides it, and a value of the right type to set.
type leafKey struct {
	yamlPath string
	env      string
	value    string
	// check reads the field back from a Config.
	check func(cfg *Config) reflect.Value
	// fileOnly: structured data (a list or map of structures) that only
	// the configuration file sets; its variable is refused with a reason.
	fileOnly bool
}

// leafKeys walks the Config type and lists every setting. Map-valued
// settings keyed by municipality code are walked through one instance
// (330); maps keyed by names are one setting written name:value,....
func leafKeys(t *testing.T) []leafKey {
	t.Helper()
	var out []leafKey
	var walk func(typ reflect.Type, yamlPath, env []string, get func(*Config) reflect.Value)
	walk = func(typ reflect.Type, yamlPath, env []string, get func(*Config) reflect.Value) {
		if typ.Kind() == reflect.Struct && typ != reflect.TypeOf(Duration(0)) {
			for i := range typ.NumField() {
				f := typ.Field(i)
				key, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
				idx := i
				sub := func(c *Config) reflect.Value { return get(c).Field(idx) }
				if opts == "inline" {
					walk(f.Type, yamlPath, env, sub)
					continue
				}
				if key == "" || key == "-" {
					continue
				}
				walk(f.Type, append(slicesClone(yamlPath), key), append(slicesClone(env), strings.ToUpper(key)), sub)
			}
			return
		}
		if fileOnly(typ) {
			out = append(out, leafKey{yamlPath: strings.Join(yamlPath, "."), env: EnvPrefix + strings.Join(env, "_"), fileOnly: true})
			return
		}
		if typ.Kind() == reflect.Map && typ.Key().Kind() == reflect.Int {
			elem := func(c *Config) reflect.Value {
				return get(c).MapIndex(reflect.ValueOf(330))
			}
			walk(typ.Elem(), append(slicesClone(yamlPath), "330"), append(slicesClone(env), "330"), elem)
			return
		}
		out = append(out, leafKey{
			yamlPath: strings.Join(yamlPath, "."),
			env:      EnvPrefix + strings.Join(env, "_"),
			value:    sampleValue(t, typ),
			check:    get,
		})
	}
	walk(reflect.TypeOf(Config{}), nil, nil, func(c *Config) reflect.Value { return reflect.ValueOf(c).Elem() })
	return out
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// sampleValue is a value an environment variable may give a setting of
// type typ, never the type's zero value.
func sampleValue(t *testing.T, typ reflect.Type) string {
	if typ == reflect.TypeOf(Duration(0)) {
		return "3s"
	}
	switch typ.Kind() {
	case reflect.String:
		return "https://example.dk"
	case reflect.Bool:
		return "true"
	case reflect.Int, reflect.Int64:
		return "7"
	case reflect.Float64:
		return "0.5"
	case reflect.Pointer:
		return sampleValue(t, typ.Elem())
	case reflect.Slice:
		v := sampleValue(t, typ.Elem())
		return v + "," + v
	case reflect.Map:
		return "Citizen.timeline:" + sampleValue(t, typ.Elem())
	}
	t.Fatalf("no sample value for %s", typ)
	return ""
}

// TestEveryKeyHasAnEnvironmentOverride sets every configuration key through
// its environment variable, one at a time, and reads the value back: a key
// the mechanism cannot reach fails here, by name. Structured keys (lists and
// maps of structures) are file only: their variable is an error saying so.
func TestEveryKeyHasAnEnvironmentOverride(t *testing.T) {
	keys := leafKeys(t)
	if len(keys) < 80 {
		t.Fatalf("walked only %d keys", len(keys))
	}
	for _, k := range keys {
		t.Run(k.env, func(t *testing.T) {
			if k.fileOnly {
				err := ApplyEnv(&Config{}, []string{k.env + "=x"})
				if err == nil || !strings.Contains(err.Error(), "configuration file") {
					t.Fatalf("%s (%s, file only): got %v, want an error pointing to the file", k.env, k.yamlPath, err)
				}
				return
			}
			var cfg Config
			if err := ApplyEnv(&cfg, []string{k.env + "=" + k.value}); err != nil {
				t.Fatalf("%s (%s): %v", k.env, k.yamlPath, err)
			}
			got := k.check(&cfg)
			if !got.IsValid() || got.IsZero() {
				t.Fatalf("%s=%s left %s unset", k.env, k.value, k.yamlPath)
			}
		})
	}
}

// TestEveryKeyIsDocumented: docs/OPERATIONS.md's table names every key
// with its environment variable, or says it is file only (the upstreams'
// keys by their pattern and their own table).
func TestEveryKeyIsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "OPERATIONS.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "### Every key and its environment variable")
	if !ok {
		t.Fatal("docs/OPERATIONS.md has no section \"Every key and its environment variable\"")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	for _, k := range leafKeys(t) {
		if strings.HasPrefix(k.yamlPath, "upstreams.") {
			continue
		}
		row := fmt.Sprintf("| `%s` | `%s` |", k.yamlPath, k.env)
		if k.fileOnly {
			row = fmt.Sprintf("| `%s` | file only |", k.yamlPath)
		}
		if !strings.Contains(table, row) {
			t.Errorf("the table has no row %q", row)
		}
	}
}
