package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"licet.dev/licet/server/auth"
	"licet.dev/licet/server/store"
)

// The OpenAPI 3.1 document is generated from the route table, so that it
// covers every route by construction; request and response schemas come
// from the Go types the handlers decode and encode.

// param is a query parameter of a route.
type param struct {
	name, typ, desc string
	enum            []string
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z_]+)(\.\.\.)?\}`)

// schemas builds JSON Schemas for Go types and collects named structs as
// components.
type schemas struct {
	components map[string]any
}

var timeType = reflect.TypeFor[time.Time]()
var rawType = reflect.TypeFor[json.RawMessage]()

func (s *schemas) of(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return s.of(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": s.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.of(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := componentName(t)
		if name == "" {
			return s.object(t)
		}
		if _, ok := s.components[name]; !ok {
			s.components[name] = nil // guard against recursion
			s.components[name] = s.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// object is the schema of a struct: json-tagged fields; fields without
// omitempty are required. Tags: doc:"..." describes, enum:"a|b" restricts.
func (s *schemas) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		sch := s.of(f.Type)
		if d := f.Tag.Get("doc"); d != "" {
			if _, isRef := sch["$ref"]; isRef {
				sch = map[string]any{"allOf": []any{sch}, "description": d}
			} else {
				sch["description"] = d
			}
		}
		if e := f.Tag.Get("enum"); e != "" {
			sch["enum"] = strings.Split(e, "|")
		}
		props[name] = sch
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			required = append(required, name)
		}
	}
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// stateChanging reports whether a method changes state and so needs CSRF
// protection when the caller uses a session.
func stateChanging(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// allRoles lists the roles in the order the document shows them.
var allRoles = []string{string(store.RoleAdmin), string(store.RoleOperator), string(store.RoleAuditor)}

// openAPI builds the OpenAPI document of routes; cookie is the session
// cookie's name.
func openAPI(routes []*route, version, cookie string) map[string]any {
	s := &schemas{components: map[string]any{}}
	problemSchema := s.of(reflect.TypeFor[problem]())
	codes := make([]string, 0, len(problemCodes))
	for c := range problemCodes {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var codeDoc strings.Builder
	for _, c := range codes {
		codeDoc.WriteString("- `" + c + "`: " + problemCodes[c] + "\n")
	}
	s.components["problem"].(map[string]any)["description"] = "RFC 9457 problem details. `code` is stable:\n" + codeDoc.String()
	s.components["problem"].(map[string]any)["properties"].(map[string]any)["code"].(map[string]any)["enum"] = codes

	problemResp := func(desc string) map[string]any {
		return map[string]any{
			"description": desc,
			"content":     map[string]any{"application/problem+json": map[string]any{"schema": problemSchema}},
		}
	}

	paths := map[string]map[string]any{}
	for _, rt := range routes {
		op := map[string]any{
			"operationId": rt.op,
			"summary":     rt.summary,
			"tags":        []string{rt.tag},
			"x-public":    rt.public,
		}
		if rt.desc != "" {
			op["description"] = rt.desc
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{
				"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"},
			})
		}
		for _, q := range rt.query {
			sch := map[string]any{"type": q.typ}
			if q.enum != nil {
				sch["enum"] = q.enum
			}
			params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": sch})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.in != nil {
			op["requestBody"] = map[string]any{
				"required": true,
				"content":  map[string]any{"application/json": map[string]any{"schema": s.of(reflect.TypeOf(rt.in))}},
			}
		}
		status := rt.status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		switch {
		case rt.produces != "":
			ok["content"] = map[string]any{rt.produces: map[string]any{"schema": map[string]any{"type": "string"}}}
		case rt.out != nil:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": s.of(reflect.TypeOf(rt.out))}}
		}
		responses := map[string]any{itoa(status): ok, "default": problemResp("Error (problem details)")}
		if rt.public {
			op["security"] = []any{}
		} else {
			if stateChanging(rt.method) {
				op["security"] = []any{map[string]any{"session": []string{}, "csrf": []string{}}, map[string]any{"token": []string{}}}
				responses["403"] = problemResp("Forbidden: role not allowed (`forbidden`) or missing CSRF token (`csrf_failed`)")
			} else {
				op["security"] = []any{map[string]any{"session": []string{}}, map[string]any{"token": []string{}}}
				responses["403"] = problemResp("Forbidden: role not allowed (`forbidden`)")
			}
			responses["401"] = problemResp("No valid session or token (`unauthenticated`)")
			var roles []string
			for _, role := range allRoles {
				if auth.Can(store.Role(role), rt.perm) {
					roles = append(roles, role)
				}
			}
			op["x-roles"] = roles
			op["x-permission"] = string(rt.perm)
		}
		op["responses"] = responses
		p := paths[rt.path]
		if p == nil {
			p = map[string]any{}
			paths[rt.path] = p
		}
		p[strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Licet vendor portal API",
			"version": version,
			"description": "JSON API of `licet serve`. Authenticate with the session cookie `" + cookie + "` " +
				"(from POST /api/v1/auth/login) plus the `X-CSRF-Token` header on every state-changing " +
				"request, or with `Authorization: Bearer licet_...` (an API token; no CSRF header). " +
				"Operations with `x-public: true` need neither. `x-roles` lists the roles allowed " +
				"(those whose permissions include `x-permission`). " +
				"Errors are RFC 9457 problem details with a stable `code`. Lists take `limit` and " +
				"`cursor` and answer `{items, next_cursor}`.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": s.components,
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": cookie},
				"csrf":    map[string]any{"type": "apiKey", "in": "header", "name": auth.CSRFHeader},
				"token":   map[string]any{"type": "http", "scheme": "bearer", "description": "API token `licet_...`"},
			},
		},
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// componentName names a struct's schema: its Go name, or for an
// instantiated generic such as list[product], "productList".
func componentName(t reflect.Type) string {
	name := t.Name()
	base, arg, ok := strings.Cut(name, "[")
	if !ok {
		return name
	}
	arg = strings.TrimSuffix(arg, "]")
	if i := strings.LastIndex(arg, "."); i >= 0 {
		arg = arg[i+1:]
	}
	return arg + strings.ToUpper(base[:1]) + base[1:]
}
