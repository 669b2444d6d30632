// Package atomicfile replaces files so that a crash leaves the old content
// or the new, never a part: the data goes to a temporary file in the same
// directory, which is fsynced and renamed over the target, and the
// directory is fsynced after.
package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes data to path with the permission bits perm. The temporary
// file is created with mode 0600 and changed to perm only once written,
// so that a secret is never readable by others, not even for a moment.
// Errors are those of package os, for the caller to wrap; the temporary
// file is removed on every path.
func Write(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return err
	}
	// The rename is done; a directory that cannot be synced (some file
	// systems refuse) leaves it to the next sync of the file system.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
