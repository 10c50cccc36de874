package mock

import (
	"encoding/hex"
	"math/rand"
	"sync"

	"github.com/brianvoe/gofakeit/v6"
)

// seeded is a faker whose draws follow from seed, zero included (gofakeit's
// own New takes 0 to mean "random").
func seeded(seed int64) *gofakeit.Faker {
	return gofakeit.NewCustom(&lockedSource{src: rand.NewSource(seed).(rand.Source64)})
}

// lockedSource makes a math/rand source safe to share.
type lockedSource struct {
	mu  sync.Mutex
	src rand.Source64
}

func (s *lockedSource) Int63() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.src.Int63()
}

func (s *lockedSource) Uint64() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.src.Uint64()
}

func (s *lockedSource) Seed(seed int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.src.Seed(seed)
}

// NewRequestID returns 32 lowercase hex characters, like the gateway's ids,
// for a call to the simulated API.
func (e *Engine) NewRequestID() string { return requestID(e.ids) }

// NewAdminRequestID is NewRequestID for the sandbox's own API; it draws from
// its own stream, so that admin and health calls change no API reply.
func (e *Engine) NewAdminRequestID() string { return requestID(e.adminIDs) }

func requestID(f *gofakeit.Faker) string {
	var b [16]byte
	for i := range 2 {
		u := f.Rand.Uint64()
		for j := range 8 {
			b[i*8+j] = byte(u >> (8 * j))
		}
	}
	return hex.EncodeToString(b[:])
}
