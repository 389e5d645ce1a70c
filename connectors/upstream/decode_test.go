package upstream

import (
	"errors"
	"strings"
	"testing"
)

type decodeContact struct {
	ID  string `json:"id"`
	CPR string `json:"cpr"`
	N   int    `json:"n"`
}

type decodeBody struct {
	Contacts []decodeContact          `json:"contacts"`
	ByKey    map[string]decodeContact `json:"byKey"`
	Total    int                      `json:"total"`
}

func TestDecodeJSONNamesTheFieldButNotTheValue(t *testing.T) {
	tests := []struct {
		name, body, prefix string
		wantField, wantMsg string
	}{
		{"number where a string belongs, in the second element", `{"contacts":[{"cpr":"a"},{"id":"2","cpr":` + syntheticCPR + `}]}`, "",
			"contacts[1].cpr", "want string, got number"},
		{"string where an integer belongs", `{"contacts":[{"n":"seven"}]}`, "", "contacts[0].n", "want integer, got string"},
		{"object where an array belongs", `{"contacts":{"cpr":"a"}}`, "", "contacts", "want array, got object"},
		{"value inside a map", `{"byKey":{"k":{"n":true}}}`, "", "byKey.k.n", "want integer, got bool"},
		{"top-level array", `[1,2]`, "", "", "want object, got array"},
		{"path under a prefix", `{"total":"x"}`, "entry[4].resource", "entry[4].resource.total", "want integer, got string"},
		{"truncated", `{"contacts":[{"cpr":"a"},`, "", "contacts[1]", "truncated JSON"},
		{"syntax error", `{"contacts":[{"cpr" "a"}]}`, "", "contacts[0].cpr", "malformed JSON at byte"},
		{"empty body", ``, "", "", "empty body"},
		{"trailing data", `{"total":1} {"total":2}`, "", "", "trailing data"},
		{"HTML error page", `<html>Bad Gateway</html>`, "", "", "malformed JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out decodeBody
			err := DecodeJSONAt("outofhours", "contact_search", tt.prefix, []byte(tt.body), &out)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("want *DecodeError, got %T %v", err, err)
			}
			if de.Field != tt.wantField || de.System != "outofhours" || de.Op != "contact_search" {
				t.Errorf("DecodeError{System %q, Op %q, Field %q}, want field %q", de.System, de.Op, de.Field, tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q lacks %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), syntheticCPR) {
				t.Errorf("error quotes the value: %v", err)
			}
		})
	}
}

func TestDecodeJSONIgnoresUnknownFields(t *testing.T) {
	var out decodeBody
	err := DecodeJSON("s", "op", []byte(`{"total":2,"extra":{"deep":[1,2]},"contacts":[{"id":"a","new":true}]}`), &out)
	if err != nil || out.Total != 2 || len(out.Contacts) != 1 || out.Contacts[0].ID != "a" {
		t.Fatalf("got %+v, %v", out, err)
	}
}

func FuzzPathAtOffset(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":[]}]}`), int64(9))
	f.Add([]byte(`[[[`), int64(2))
	f.Add([]byte(`}}]]`), int64(1))
	f.Fuzz(func(t *testing.T, data []byte, offset int64) {
		_ = pathAtOffset(data, offset)
		var out decodeBody
		_ = DecodeJSON("s", "op", data, &out)
	})
}
