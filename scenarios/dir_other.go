//go:build !unix

package scenarios

import (
	"io/fs"
	"os"
)

// Dir is a folder of scenario files (os.DirFS where opening a FIFO cannot
// be kept from blocking).
func Dir(dir string) fs.FS { return os.DirFS(dir) }
