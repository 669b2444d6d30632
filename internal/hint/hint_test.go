package hint

import (
	"errors"
	"fmt"
	"testing"
)

func TestHint(t *testing.T) {
	base := errors.New("base")
	if Wrap(nil, "x") != nil {
		t.Fatal("Wrap(nil) is not nil")
	}
	err := fmt.Errorf("step: %w", Wrap(base, "do this"))
	if err.Error() != "step: base" || !errors.Is(err, base) || Of(err) != "do this" {
		t.Fatalf("%v: hint %q", err, Of(err))
	}
	// The outermost hint wins.
	if got := Of(Wrap(err, "do that first")); got != "do that first" {
		t.Fatalf("outer hint %q", got)
	}
	if Of(base) != "" || Of(nil) != "" {
		t.Fatal("hint without one")
	}
}
