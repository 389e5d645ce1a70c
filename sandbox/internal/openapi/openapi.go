package openapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
)

// Version is the OpenAPI version written.
const Version = "3.0.3"

// Document is an OpenAPI document as generic JSON (maps marshal with sorted
// keys, so the bytes are deterministic).
type Document = map[string]any

// RelativePath is a route's path as the document lists it: the pattern
// without the system's prefix.
func RelativePath(sys httpapi.System, rt httpapi.Route) string {
	p := strings.TrimPrefix(rt.Pattern, sys.Prefix)
	p = strings.ReplaceAll(p, "{$}", "")
	if p == "" {
		p = "/"
	}
	return p
}

// Build describes every route of sys.
func Build(sys httpapi.System) Document {
	schemas := newSchemaSet()
	paths := map[string]any{}
	for _, rt := range sys.Routes {
		p := RelativePath(sys, rt)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(rt.Method)] = operation(rt, schemas)
	}
	return Document{
		"openapi": Version,
		"info": map[string]any{
			"title":       sys.Title,
			"version":     sys.Version,
			"description": "Simulated by the klynge sandbox. Every CPR number it serves is synthetic (day of birth + 60).",
		},
		"servers":    []any{map[string]any{"url": sys.Prefix}},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas.defs},
	}
}

func operation(rt httpapi.Route, schemas *schemaSet) map[string]any {
	op := map[string]any{
		"operationId": rt.OperationID,
		"summary":     rt.Summary,
	}
	if rt.Description != "" {
		op["description"] = rt.Description
	}
	var params []any
	for _, p := range rt.Params {
		params = append(params, parameter(p))
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if b := rt.Request; b != nil {
		var schema any
		if b.Form != nil {
			props := map[string]any{}
			for _, f := range b.Form {
				props[f.Name] = paramSchema(f)
			}
			schema = map[string]any{"type": "object", "properties": props}
		} else {
			schema = schemas.of(b.Schema)
		}
		op["requestBody"] = map[string]any{
			"required": b.Required,
			"content":  map[string]any{b.ContentType: map[string]any{"schema": schema}},
		}
	}
	responses := map[string]any{}
	for _, r := range rt.Responses {
		resp := map[string]any{"description": r.Description}
		if r.Description == "" {
			resp["description"] = http.StatusText(r.Status)
		}
		if r.Schema != nil {
			resp["content"] = map[string]any{r.ContentType: map[string]any{"schema": schemas.of(r.Schema)}}
		}
		if len(r.Headers) > 0 {
			h := map[string]any{}
			for _, name := range r.Headers {
				h[name] = map[string]any{"schema": map[string]any{"type": "string"}}
			}
			resp["headers"] = h
		}
		responses[strconv.Itoa(r.Status)] = resp
	}
	op["responses"] = responses
	return op
}

func parameter(p httpapi.Param) map[string]any {
	out := map[string]any{
		"name":     p.Name,
		"in":       p.In,
		"required": p.Required || p.In == "path",
		"schema":   paramSchema(p),
	}
	if p.Description != "" {
		out["description"] = p.Description
	}
	return out
}

func paramSchema(p httpapi.Param) map[string]any {
	t := p.Type
	if t == "" {
		t = "string"
	}
	s := map[string]any{"type": t}
	if len(p.Enum) > 0 {
		s["enum"] = p.Enum
	}
	if p.Description != "" && p.In == "" {
		s["description"] = p.Description
	}
	return s
}
