//go:build js && wasm

package main

import (
	"fmt"
	"runtime/debug"
	"syscall/js"
	"time"
)

// apiVersion is the version of the JavaScript API described in licet.d.ts;
// it changes when a function changes incompatibly.
const apiVersion = 1

func main() {
	api := map[string]any{
		"apiVersion": apiVersion,
		"version":    buildVersion(),
	}
	registerDevcode(api)
	registerCodes(api)
	registerRequest(api)
	registerLicense(api)
	registerFrames(api)
	registerQR(api)
	js.Global().Set("licet", js.ValueOf(api))
	// Stay alive to answer calls.
	select {}
}

// fn wraps a Go function as a JavaScript one. f reads its arguments through
// a (which records the first bad one) and returns an answer of plain values;
// if an argument was bad the answer is an "argument" error instead. A panic
// becomes an "internal" error answer instead of crashing the module.
func fn(name string, f func(a *args) any) js.Func {
	return js.FuncOf(func(this js.Value, v []js.Value) (ret any) {
		defer func() {
			if r := recover(); r != nil {
				ret = js.ValueOf(errorAnswer("internal", fmt.Sprintf("licet.%s: %v", name, r)))
			}
		}()
		a := &args{name: name, v: v}
		out := f(a)
		if a.err != "" {
			return js.ValueOf(errorAnswer("argument", a.err))
		}
		return toJS(out)
	})
}

func errorAnswer(kind, msg string) map[string]any {
	return map[string]any{"ok": false, "result": "invalid", "error": map[string]any{"kind": kind, "message": msg}}
}

// args reads the arguments of one call. Each reader returns the zero value
// after the first problem, which it records; fn then answers with it.
type args struct {
	name string
	v    []js.Value
	err  string
}

func (a *args) fail(i int, what, format string, x ...any) {
	if a.err == "" {
		a.err = fmt.Sprintf("licet.%s: argument %d (%s) %s", a.name, i+1, what, fmt.Sprintf(format, x...))
	}
}

func (a *args) get(i int) js.Value {
	if i < len(a.v) {
		return a.v[i]
	}
	return js.Undefined()
}

// str reads a required string.
func (a *args) str(i int, what string) string {
	v := a.get(i)
	if v.Type() != js.TypeString {
		a.fail(i, what, "is %s, want string", v.Type())
		return ""
	}
	return v.String()
}

// bytes reads a Uint8Array, an ArrayBuffer, or (with text) a string as its
// UTF-8 bytes.
func (a *args) bytes(i int, what string, text bool) []byte {
	return a.bytesOf(a.get(i), func(format string, x ...any) { a.fail(i, what, format, x...) }, text)
}

func (a *args) bytesOf(v js.Value, fail func(string, ...any), text bool) []byte {
	switch {
	case text && v.Type() == js.TypeString:
		return []byte(v.String())
	case v.InstanceOf(js.Global().Get("Uint8Array")):
		b := make([]byte, v.Length())
		js.CopyBytesToGo(b, v)
		return b
	case v.InstanceOf(js.Global().Get("ArrayBuffer")):
		u := js.Global().Get("Uint8Array").New(v)
		b := make([]byte, u.Length())
		js.CopyBytesToGo(b, u)
		return b
	}
	if text {
		fail("is %s, want string, Uint8Array or ArrayBuffer", typeName(v))
	} else {
		fail("is %s, want Uint8Array or ArrayBuffer", typeName(v))
	}
	return nil
}

// instant reads a time: a Date, milliseconds since 1970 (as Date.now()
// gives), or an RFC 3339 string.
func (a *args) instant(i int, what string) time.Time {
	v := a.get(i)
	switch {
	case v.Type() == js.TypeNumber:
		return time.UnixMilli(int64(v.Float())).UTC()
	case v.Type() == js.TypeString:
		t, err := time.Parse(time.RFC3339, v.String())
		if err != nil {
			a.fail(i, what, "is not an RFC 3339 time: %v", err)
		}
		return t
	case v.InstanceOf(js.Global().Get("Date")):
		return time.UnixMilli(int64(v.Call("getTime").Float())).UTC()
	}
	a.fail(i, what, "is %s, want Date, number (ms) or RFC 3339 string", typeName(v))
	return time.Time{}
}

// options reads an optional object of options; undefined and null give
// an empty one.
func (a *args) options(i int, what string) opts {
	v := a.get(i)
	if v.IsUndefined() || v.IsNull() {
		return opts{a: a, i: i, what: what, v: js.Undefined()}
	}
	if v.Type() != js.TypeObject {
		a.fail(i, what, "is %s, want an object", typeName(v))
		return opts{a: a, i: i, what: what, v: js.Undefined()}
	}
	return opts{a: a, i: i, what: what, v: v}
}

// opts reads the fields of an options object.
type opts struct {
	a    *args
	i    int
	what string
	v    js.Value
}

func (o opts) field(name string) js.Value {
	if o.v.IsUndefined() {
		return js.Undefined()
	}
	return o.v.Get(name)
}

func (o opts) has(name string) bool {
	f := o.field(name)
	return !f.IsUndefined() && !f.IsNull()
}

func (o opts) fail(name, format string, x ...any) {
	o.a.fail(o.i, o.what, "field "+name+" "+format, x...)
}

// int reads an optional integer field within [lo, hi]; absent gives def.
func (o opts) int(name string, def, lo, hi int64) int64 {
	if !o.has(name) {
		return def
	}
	f := o.field(name)
	if f.Type() != js.TypeNumber {
		o.fail(name, "is %s, want a number", typeName(f))
		return def
	}
	x := f.Float()
	if x != float64(int64(x)) || x < float64(lo) || x > float64(hi) {
		o.fail(name, "is %v, want an integer from %d to %d", x, lo, hi)
		return def
	}
	return int64(x)
}

// str reads an optional string field.
func (o opts) str(name string) string {
	if !o.has(name) {
		return ""
	}
	f := o.field(name)
	if f.Type() != js.TypeString {
		o.fail(name, "is %s, want a string", typeName(f))
		return ""
	}
	return f.String()
}

// bytes reads a required bytes field (Uint8Array or ArrayBuffer), or a
// base64 string when b64 is set.
func (o opts) bytes(name string, b64 bool) []byte {
	f := o.field(name)
	if b64 && f.Type() == js.TypeString {
		b, err := decodeBase64(f.String())
		if err != nil {
			o.fail(name, "is not base64: %v", err)
		}
		return b
	}
	return o.a.bytesOf(f, func(format string, x ...any) { o.fail(name, format, x...) }, false)
}

func typeName(v js.Value) string {
	switch {
	case v.IsNull():
		return "null"
	case v.Type() == js.TypeObject && v.InstanceOf(js.Global().Get("Array")):
		return "an array"
	}
	return v.Type().String()
}

// toJS converts an answer of plain Go values to JavaScript: maps, slices,
// strings, numbers, booleans and nil as js.ValueOf does, []byte as a
// Uint8Array, and js.Func and js.Value as they are.
func toJS(v any) js.Value {
	return js.ValueOf(jsValue(v))
}

func jsValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = jsValue(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = jsValue(e)
		}
		return s
	case []map[string]any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = jsValue(e)
		}
		return s
	case []string:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = e
		}
		return s
	case []byte:
		u := js.Global().Get("Uint8Array").New(len(x))
		js.CopyBytesToJS(u, x)
		return u
	case uint32:
		return float64(x)
	case int64:
		return float64(x)
	}
	return v
}

// buildVersion names the build: the module version, else the VCS revision.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 && (v == "" || v == "(devel)") {
			v = s.Value[:12]
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}
