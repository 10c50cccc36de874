//go:build unix

package scenarios

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Dir is a folder of scenario files, as os.DirFS, except that files are
// opened without blocking: a FIFO named x.yaml is opened at once, found
// not to be a regular file and refused, instead of hanging the loader.
func Dir(dir string) fs.FS { return nonBlockingDir(dir) }

type nonBlockingDir string

func (d nonBlockingDir) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := os.OpenFile(filepath.Join(string(d), filepath.FromSlash(name)), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}
