package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// EnvPrefix starts every environment override. The rest of the name is the
// YAML key path in upper case, joined by underscores:
// KLYNGE_UPSTREAMS_EHOSPITAL_BASEURL, KLYNGE_UPSTREAMS_MUNICIPAL_INSTANCES_330_AUTH_BEARERTOKEN.
// Lists are comma-separated (KLYNGE_UPSTREAMS_MUNICIPAL_CODES=330,370);
// maps keyed by names are name:value pairs, comma-separated
// (KLYNGE_LIMITS_FIELDCOSTS=Citizen.timeline:4,Citizen.referrals:2).
const EnvPrefix = "KLYNGE_"

// envIgnored are KLYNGE_ variables that are not configuration (test harness).
var envIgnored = []string{"KLYNGE_TEST_"}

// ApplyEnv overrides cfg from env (os.Environ() form). An override that
// names no setting is an error, so that a typo is not silently ignored.
// Load applies it to the file; `klynge demo` to its built-in configuration.
func ApplyEnv(cfg *Config, env []string) error {
	var errs []error
	for _, kv := range env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) || ignoredEnv(name) {
			continue
		}
		path := strings.Split(strings.TrimPrefix(name, EnvPrefix), "_")
		if err := setPath(reflect.ValueOf(cfg).Elem(), path, value); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func ignoredEnv(name string) bool {
	for _, p := range envIgnored {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

var errNoSetting = errors.New("names no configuration setting")

// errFileOnly: a list or map of structures (a cluster's rule set, care
// needs) has no one-line form; it is set in the configuration file.
var errFileOnly = errors.New("is structured data with no environment form; set it in the configuration file")

// fileOnly reports a setting of type t that only the file can set: a list
// of structures, or a map of structures keyed by names (maps keyed by
// numbers, the municipal instances, take the number as a path segment).
func fileOnly(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Map:
		return t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.Struct && t.Elem() != reflect.TypeOf(Duration(0))
	case reflect.Slice:
		return t.Elem().Kind() == reflect.Struct && t.Elem() != reflect.TypeOf(Duration(0))
	}
	return false
}

func setPath(v reflect.Value, path []string, value string) error {
	if fileOnly(v.Type()) {
		return errFileOnly
	}
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(Duration(0)) {
			break
		}
		if len(path) == 0 {
			return errNoSetting
		}
		f, ok := fieldFor(v, path[0])
		if !ok {
			return errNoSetting
		}
		return setPath(f, path[1:], value)
	case reflect.Map:
		if v.Type().Key().Kind() == reflect.String {
			// Keyed by names with dots (Citizen.timeline), which no
			// variable name can hold: the whole map is one setting.
			break
		}
		if len(path) == 0 {
			return errNoSetting
		}
		key, err := strconv.Atoi(path[0])
		if err != nil {
			return fmt.Errorf("%q is not a numeric key", path[0])
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		k := reflect.ValueOf(key)
		elem := reflect.New(v.Type().Elem()).Elem()
		if cur := v.MapIndex(k); cur.IsValid() {
			elem.Set(cur)
		}
		if err := setPath(elem, path[1:], value); err != nil {
			return err
		}
		v.SetMapIndex(k, elem)
		return nil
	}
	if len(path) != 0 {
		return errNoSetting
	}
	return setLeaf(v, value)
}

// fieldFor finds the field whose YAML key, upper-cased, is name, looking
// into inline fields too.
func fieldFor(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("yaml")
		key, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" {
			if f, ok := fieldFor(v.Field(i), name); ok {
				return f, true
			}
			continue
		}
		if key != "" && strings.ToUpper(key) == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func setLeaf(v reflect.Value, s string) error {
	if v.Type() == reflect.TypeOf(Duration(0)) {
		var d Duration
		if err := d.parse(s); err != nil {
			return err
		}
		v.Set(reflect.ValueOf(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("must be true or false, got %q", s)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("must be a whole number, got %q", s)
		}
		v.SetInt(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("must be a number, got %q", s)
		}
		v.SetFloat(f)
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		if err := setLeaf(elem.Elem(), s); err != nil {
			return err
		}
		v.Set(elem)
	case reflect.Map:
		return setNamedMap(v, s)
	case reflect.Slice:
		parts := strings.Split(s, ",")
		out := reflect.MakeSlice(v.Type(), 0, len(parts))
		for _, p := range parts {
			elem := reflect.New(v.Type().Elem()).Elem()
			if err := setLeaf(elem, strings.TrimSpace(p)); err != nil {
				return err
			}
			out = reflect.Append(out, elem)
		}
		v.Set(out)
	default:
		return errNoSetting
	}
	return nil
}

// setNamedMap sets a map keyed by names from "name:value,name:value",
// replacing the map the file gave (as a list's variable replaces the list).
func setNamedMap(v reflect.Value, s string) error {
	m := reflect.MakeMap(v.Type())
	for pair := range strings.SplitSeq(s, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(pair), ":")
		if !ok || strings.TrimSpace(name) == "" {
			return fmt.Errorf("must be name:value pairs separated by commas, e.g. Citizen.timeline:4, got %q", pair)
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := setLeaf(elem, strings.TrimSpace(value)); err != nil {
			return fmt.Errorf("%s: %w", strings.TrimSpace(name), err)
		}
		m.SetMapIndex(reflect.ValueOf(strings.TrimSpace(name)).Convert(v.Type().Key()), elem)
	}
	v.Set(m)
	return nil
}
