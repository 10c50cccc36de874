package mock

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/cocmock/cocmock/internal/textcut"
	"github.com/cocmock/cocmock/mock/auth"
)

// authenticate runs the gateway's check. On failure it returns the 401 and
// what the journal should show.
func (e *Engine) authenticate(req Request, now time.Time) (principal string, reply *Reply, failure *AuthFailure) {
	if e.auth == nil || e.auth.Mode() == auth.None {
		return "", nil, nil
	}
	res := e.auth.Check(auth.Request{
		Method: req.Method, Path: req.Path, RawQuery: req.RawQuery, Host: req.Host,
		Header: req.Header, Body: req.Body,
	}, now)
	// An AK, a reason (which may quote the AK) and the canonical request
	// (the signed headers' values) are the client's to size: each is kept
	// cut, in bytes of its own.
	principal = textcut.Own(res.Principal, maxPrincipal)
	if res.OK {
		return principal, nil, nil
	}
	reason := textcut.Own(res.Reason, maxReason)
	r := gatewayReply(http.StatusUnauthorized, GatewayAuth, "Incorrect IAM authentication information: "+reason, req.ID)
	return principal, &r, &AuthFailure{
		Reason:           reason,
		CanonicalRequest: textcut.Own(redactCanonical(res.CanonicalRequest), maxJournalHeader),
		StringToSign:     textcut.Own(res.StringToSign, maxReason),
	}
}

// Bounds of what a refused signature keeps of the client's text.
const (
	maxPrincipal = 128
	maxReason    = 512
)

// redactCanonical hides the values of secret headers a client signed (the
// SDK signs X-Security-Token with temporary credentials).
func redactCanonical(cr string) string {
	lines := strings.Split(cr, "\n")
	for i, line := range lines {
		name, _, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		for _, secret := range secretHeaders {
			if strings.EqualFold(name, secret) {
				lines[i] = name + ":" + Redacted
			}
		}
	}
	return strings.Join(lines, "\n")
}

// maxThrottleKeys bounds the limiters kept; past it they start afresh.
const maxThrottleKeys = 10000

// throttle is the gateway's rate limit: a token bucket of perSecond
// requests a second (burst the same) per AK, or per client address for
// unsigned calls.
type throttle struct {
	perSecond int
	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
}

func newThrottle(perSecond int) *throttle {
	return &throttle{perSecond: perSecond, buckets: map[string]*rate.Limiter{}}
}

// admit takes a token for key at now, or says how long until one is free.
func (t *throttle) admit(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	lim := t.buckets[key]
	if lim == nil {
		if len(t.buckets) >= maxThrottleKeys {
			clear(t.buckets)
		}
		lim = rate.NewLimiter(rate.Limit(t.perSecond), t.perSecond)
		t.buckets[key] = lim
	}
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// reset forgets every bucket: each key starts full again.
func (t *throttle) reset() {
	t.mu.Lock()
	clear(t.buckets)
	t.mu.Unlock()
}

// throttled is the gateway's 429 for a key.
func (t *throttle) throttled(principal string, retryAfter time.Duration, requestID string) Reply {
	policy := "ip"
	if principal != "" {
		policy = "user"
	}
	msg := fmt.Sprintf("The throttling threshold has been reached: policy %s over ratelimit,limit:%d,time:1 second", policy, t.perSecond)
	r := gatewayReply(http.StatusTooManyRequests, GatewayThrottled, msg, requestID)
	r.setHeader("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
	return r
}
