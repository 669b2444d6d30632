package licetdcli_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// waitForPath returns once path exists. It waits for the directory's
// inotify events rather than polling, so that a test goes on the moment a
// daemon links its socket into place (and first for the directory, when
// the daemon has yet to make it); timeout only bounds a daemon that never
// starts.
func waitForPath(path string, timeout time.Duration) error {
	dir, name := filepath.Split(filepath.Clean(path))
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		if err := waitForPath(dir, timeout); err != nil {
			return err
		}
	}
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("inotify: %w", err)
	}
	f := os.NewFile(uintptr(fd), "inotify") // non-blocking: Close ends a pending Read
	defer f.Close()
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_CREATE|unix.IN_MOVED_TO); err != nil {
		return fmt.Errorf("inotify on %s: %w", dir, err)
	}
	if _, err := os.Lstat(path); err == nil {
		return nil
	}
	created := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := f.Read(buf)
			if err != nil {
				created <- err
				return
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
				start := off + unix.SizeofInotifyEvent
				off = start + int(ev.Len)
				if string(bytes.TrimRight(buf[start:off], "\x00")) == name {
					created <- nil
					return
				}
			}
		}
	}()
	select {
	case err := <-created:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("%s did not appear within %v", path, timeout)
	}
}
