package fingerprint

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// maxRead bounds how much of any one file is read.
const maxRead = 64 << 10

// sysroot reads files below a root directory with chroot semantics: symbolic
// links are followed inside the root, absolute link targets are taken
// relative to the root, and ".." never climbs above it. Paths are
// slash-separated and relative to the root ("sys/class/net").
type sysroot struct {
	dir string
}

// resolve returns the root-relative path of name with every symbolic link
// resolved. The last element need not exist.
func (s sysroot) resolve(name string) (string, error) {
	parts := strings.Split(name, "/")
	cur := ""
	links := 0
	for len(parts) > 0 {
		p := parts[0]
		parts = parts[1:]
		switch p {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			if cur == "." || cur == "/" {
				cur = ""
			}
			continue
		}
		next := path.Join(cur, p)
		fi, err := os.Lstat(s.host(next))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && len(parts) == 0 {
				return next, nil
			}
			return "", &fs.PathError{Op: "lstat", Path: name, Err: unwrapPath(err)}
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		links++
		if links > 40 {
			return "", &fs.PathError{Op: "resolve", Path: name, Err: syscall.ELOOP}
		}
		target, err := os.Readlink(s.host(next))
		if err != nil {
			return "", &fs.PathError{Op: "readlink", Path: name, Err: unwrapPath(err)}
		}
		target = filepath.ToSlash(target)
		if strings.HasPrefix(target, "/") {
			cur = ""
		}
		parts = append(strings.Split(target, "/"), parts...)
	}
	return cur, nil
}

func (s sysroot) host(rel string) string {
	return filepath.Join(s.dir, filepath.FromSlash(rel))
}

func (s sysroot) open(name string) (*os.File, error) {
	rel, err := s.resolve(name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(s.host(rel))
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: unwrapPath(err)}
	}
	return f, nil
}

// readFile returns at most maxRead bytes of the file.
func (s sysroot) readFile(name string) ([]byte, error) {
	f, err := s.open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxRead))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: unwrapPath(err)}
	}
	return b, nil
}

// readString returns the file's content with surrounding white space removed.
func (s sysroot) readString(name string) (string, error) {
	b, err := s.readFile(name)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

func (s sysroot) readDir(name string) ([]string, error) {
	rel, err := s.resolve(name)
	if err != nil {
		return nil, err
	}
	es, err := os.ReadDir(s.host(rel))
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: unwrapPath(err)}
	}
	names := make([]string, len(es))
	for i, e := range es {
		names[i] = e.Name()
	}
	return names, nil
}

// stat follows links inside the root.
func (s sysroot) stat(name string) (fs.FileInfo, error) {
	rel, err := s.resolve(name)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(s.host(rel))
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: unwrapPath(err)}
	}
	return fi, nil
}

func (s sysroot) exists(name string) bool {
	_, err := s.stat(name)
	return err == nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
