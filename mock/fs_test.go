package mock_test

import (
	"io/fs"
	"testing/fstest"
)

func fsReadFile(fsys fs.FS, name string) ([]byte, error) { return fs.ReadFile(fsys, name) }

func mapFS(name, content string) fs.FS {
	return fstest.MapFS{name: &fstest.MapFile{Data: []byte(content)}}
}
