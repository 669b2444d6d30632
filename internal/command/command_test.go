package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"licet.dev/licet/internal/hint"
)

func testProgram() *Program {
	p := &Program{Name: "tool", Docs: "docs/tool.md", TrimPrefix: "pkg: "}
	p.Register("keys make", "make keys", func(e *Env, args []string) error {
		fs := p.Flags(e, "keys make")
		out := fs.String("out", "", "output `dir`")
		pos, err := ParseFlags(fs, args)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "out=%s pos=%q\n", *out, pos)
		return nil
	})
	p.Register("fail", "fail in the ways a command can", func(e *Env, args []string) error {
		switch strings.Join(args, " ") {
		case "hint":
			return hint.Wrap(errors.New("pkg: it broke\n  badly"), "try again")
		case "usage":
			return Usagef("want %d arguments", 2)
		case "usage hint":
			return Usagef("want it: %w", hint.Wrap(errors.New("missing"), "give it"))
		case "code":
			return &ExitError{Code: 3}
		case "code message":
			return &ExitError{Code: 4, Err: errors.New("said")}
		}
		return errors.New("plain")
	})
	return p
}

func TestMain(t *testing.T) {
	for _, tc := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{nil, 0, "usage: tool <command> [flags]\n\n  fail         fail in the ways a command can\n  keys make    make keys\n\nRun 'tool <command> -h' for a command's flags. Documentation: docs/tool.md\n", ""},
		{[]string{"--help"}, 0, "usage: tool", ""},
		{[]string{"keys"}, 2, "", "tool keys: missing subcommand: one of make\nhint: run 'tool keys make -h' for its flags\n"},
		{[]string{"keys", "-h"}, 0, "usage: tool keys <make> [flags]\n\n  make    make keys\n", ""},
		{[]string{"keys", "--out", "x"}, 2, "", "tool keys: missing subcommand: one of make\n"},
		{[]string{"keys", "lose", "x"}, 2, "", "tool: unknown command \"keys lose\"\n"},
		{[]string{"keys", "make", "a", "--out", "d", "-", "--", "--out"}, 0, "out=d pos=[\"a\" \"-\" \"--out\"]\n", ""},
		{[]string{"keys", "make", "-h"}, 0, "", "Usage of tool keys make:\n  -out dir\n"},
		{[]string{"keys", "make", "--bogus"}, 2, "", "tool keys make: flag provided but not defined: -bogus\nhint: run 'tool keys make -h' for usage\n"},
		{[]string{"fail", "hint"}, 1, "", "tool fail: it broke badly\nhint: try again\n"},
		{[]string{"fail", "usage"}, 2, "", "tool fail: want 2 arguments\nhint: run 'tool fail -h' for usage\n"},
		{[]string{"fail", "usage", "hint"}, 2, "", "tool fail: want it: missing\nhint: give it\n"},
		{[]string{"fail", "code"}, 3, "", ""},
		{[]string{"fail", "code", "message"}, 4, "", "tool fail: said\n"},
		{[]string{"fail"}, 1, "", "tool fail: plain\n"},
	} {
		var out, errb bytes.Buffer
		e := &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		code := testProgram().Main(tc.args, e)
		if code != tc.code || !strings.HasPrefix(out.String(), tc.stdout) || !strings.HasPrefix(errb.String(), tc.stderr) ||
			tc.stdout == "" && out.Len() > 0 || tc.stderr == "" && errb.Len() > 0 {
			t.Errorf("tool %q: exit %d, want %d\nstdout %q, want %q\nstderr %q, want %q", tc.args, code, tc.code, &out, tc.stdout, &errb, tc.stderr)
		}
	}
}

func TestRegisterTwice(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	p := testProgram()
	p.Register("fail", "again", nil)
}

func TestUsagefWraps(t *testing.T) {
	base := hint.Wrap(errors.New("base"), "h")
	err := Usagef("setting: %w", base)
	if !errors.Is(err, base) || hint.Of(err) != "h" || err.Error() != "setting: base" {
		t.Fatalf("%v", err)
	}
}

func TestRunContext(t *testing.T) {
	given, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx, stop := (&Env{Context: given}).RunContext()
	stop()
	if ctx != given || ctx.Err() != nil {
		t.Fatalf("given context: %v, %v", ctx, ctx.Err())
	}
	ctx, stop = (&Env{}).RunContext()
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
	stop()
	if ctx.Err() == nil {
		t.Fatal("stop does not end the signal context")
	}
}

func TestUsageErrorWithHintHasOneHint(t *testing.T) {
	var out, errb bytes.Buffer
	e := &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := testProgram().Main([]string{"fail", "usage", "hint"}, e); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if n := strings.Count(errb.String(), "hint:"); n != 1 {
		t.Errorf("stderr %q has %d hints, want 1", &errb, n)
	}
}
