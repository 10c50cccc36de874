package scenarios_test

import (
	"io"
	"strings"

	"github.com/brianvoe/gofakeit/v6"
)

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func newFaker(seed int64) *gofakeit.Faker { return gofakeit.New(seed) }
