package qr_test

import "fmt"

func fmtSscanf(s string, x, y, w *int) (int, error) {
	return fmt.Sscanf(s, "%d %dh%d", x, y, w)
}
