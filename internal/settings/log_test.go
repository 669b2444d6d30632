package settings

import (
	"bytes"
	"strings"
	"testing"
)

func TestLogger(t *testing.T) {
	var b bytes.Buffer
	log := Logger(&b, "json", "warn")
	log.Info("dropped")
	log.Warn("kept", "n", 1)
	if got := b.String(); strings.Contains(got, "dropped") || !strings.Contains(got, `"msg":"kept","n":1`) {
		t.Errorf("json at warn wrote %q", got)
	}
	b.Reset()
	Logger(&b, "text", "").Info("hello")
	if got := b.String(); !strings.Contains(got, "level=INFO msg=hello") {
		t.Errorf("text at the default level wrote %q", got)
	}
}
