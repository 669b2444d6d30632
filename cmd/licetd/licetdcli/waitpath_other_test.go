//go:build !linux

package licetdcli_test

import (
	"fmt"
	"os"
	"time"
)

// waitForPath reports whether path exists; only Linux can wait for it
// (waitpath_linux_test.go), and the daemon tests need Unix sockets anyway.
func waitForPath(path string, _ time.Duration) error {
	if _, err := os.Lstat(path); err != nil {
		return fmt.Errorf("%s does not exist: %w", path, err)
	}
	return nil
}
