// Package auth checks requests the way Huawei Cloud's API gateway does
// before COC sees them: an AK/SK signature (SDK-HMAC-SHA256) or an IAM
// token, with the gateway's lock-out of an AK after repeated failures.
package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Mode is what the gateway asks of a request.
type Mode string

// The modes of --auth.
const (
	None  Mode = "none"
	Token Mode = "token"
	AKSK  Mode = "aksk"
)

// Algorithm is the signing algorithm the SDK and Terraform use by default.
const Algorithm = "SDK-HMAC-SHA256"

// DateLayout is the layout of X-Sdk-Date.
const DateLayout = "20060102T150405Z"

// The gateway's reasons, as it words them after "Incorrect IAM
// authentication information: ".
const (
	ReasonSignature  = "verify aksk signature fail"
	ReasonNoToken    = "x-auth-token not found"
	ReasonBadToken   = "decrypt token fail"
	ReasonDate       = "x-sdk-date expired"
	ReasonLocked     = "AK access failed to reach the limit,forbidden"
	reasonNoKeyFmt   = "Get secretKey failed,ak:%s,err:ak not exist"
	defaultClockSkew = 15 * time.Minute
)

// Request is what a check reads: the raw request as it arrived.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Host     string
	Header   http.Header
	Body     []byte
}

// Result is the outcome of a check.
type Result struct {
	OK bool
	// Principal is the AK of a signed request (also on failure, when the
	// request named one); empty otherwise.
	Principal string
	// Reason is the gateway's sub-message when the check failed.
	Reason string
	// CanonicalRequest and StringToSign are what the sandbox computed for a
	// signed request, for the client to diff against its own.
	CanonicalRequest string
	StringToSign     string
}

// Config sets up an Authenticator.
type Config struct {
	Mode Mode
	// Keys maps each AK to its SK (aksk mode).
	Keys map[string]string
	// Token, when set in token mode, is the one X-Auth-Token accepted.
	Token string
	// LockAfter consecutive failures lock an AK for LockFor. Zero disables.
	LockAfter int
	LockFor   time.Duration
	// ClockSkew is how far X-Sdk-Date may be from now (default 15 min).
	ClockSkew time.Duration
}

// Authenticator checks requests. It is safe for concurrent use; its only
// mutable state is the failure count of each AK.
type Authenticator struct {
	cfg     Config
	mu      sync.Mutex
	strikes map[string]*strikes
}

type strikes struct {
	failures    int
	lockedUntil time.Time
}

// Reset lifts every lock-out and forgets every failure.
func (a *Authenticator) Reset() {
	a.mu.Lock()
	clear(a.strikes)
	a.mu.Unlock()
}

// New builds an authenticator; it checks that the mode has what it needs.
func New(cfg Config) (*Authenticator, error) {
	switch cfg.Mode {
	case None, Token:
	case AKSK:
		if len(cfg.Keys) == 0 {
			return nil, fmt.Errorf("auth aksk needs at least one AK/SK pair")
		}
	default:
		return nil, fmt.Errorf("auth mode %q: want none, token or aksk", cfg.Mode)
	}
	if cfg.ClockSkew <= 0 {
		cfg.ClockSkew = defaultClockSkew
	}
	return &Authenticator{cfg: cfg, strikes: map[string]*strikes{}}, nil
}

// Mode is the authenticator's mode.
func (a *Authenticator) Mode() Mode { return a.cfg.Mode }

// Check verifies a request at time now.
func (a *Authenticator) Check(r Request, now time.Time) Result {
	switch a.cfg.Mode {
	case Token:
		tok := r.Header.Get("X-Auth-Token")
		switch {
		case tok == "":
			return Result{Reason: ReasonNoToken}
		case a.cfg.Token != "" && !hmac.Equal([]byte(tok), []byte(a.cfg.Token)):
			return Result{Reason: ReasonBadToken}
		}
		return Result{OK: true}
	case AKSK:
		return a.checkSignature(r, now)
	}
	return Result{OK: true}
}

func (a *Authenticator) checkSignature(r Request, now time.Time) Result {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		if r.Header.Get("X-Auth-Token") != "" {
			return Result{Reason: ReasonBadToken}
		}
		return Result{Reason: ReasonNoToken}
	}
	sig, err := parseAuthorization(authz)
	if err != nil {
		return Result{Reason: ReasonSignature + ": " + err.Error()}
	}
	res := Result{Principal: sig.access}
	sk, known := a.cfg.Keys[sig.access]
	if !known {
		res.Reason = fmt.Sprintf(reasonNoKeyFmt, sig.access)
		return res
	}
	res.CanonicalRequest = CanonicalRequest(r, sig.signedHeaders)
	date := r.Header.Get("X-Sdk-Date")
	res.StringToSign = StringToSign(date, res.CanonicalRequest)
	t, err := time.Parse(DateLayout, date)
	switch {
	case err != nil || now.Sub(t) > a.cfg.ClockSkew || t.Sub(now) > a.cfg.ClockSkew:
		res.Reason = ReasonDate
	case !hmac.Equal([]byte(sig.signature), []byte(Sign(sk, res.StringToSign))):
		res.Reason = ReasonSignature
	case !bodyMatchesHash(r):
		// The signature covers the header, not the body: a hex hash must
		// be the body's, or a changed body would pass.
		res.Reason = ReasonSignature + ": X-Sdk-Content-Sha256 is not the SHA-256 of the body"
	default:
		res.OK = true
	}
	if a.settle(sig.access, res.OK, now) {
		res.OK, res.Reason = false, ReasonLocked
	}
	return res
}

// settle records the outcome of a check for an AK and reports whether the
// AK is locked, in one step under the lock, so that parallel failures
// cannot slip past the limit. A locked AK is refused even with a good
// signature; the gateway locks an AK once it has failed more than
// LockAfter times in a row, and a success clears the count.
func (a *Authenticator) settle(ak string, ok bool, now time.Time) (locked bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.strikes[ak]
	if s != nil && now.Before(s.lockedUntil) {
		return true
	}
	if ok {
		delete(a.strikes, ak)
		return false
	}
	if a.cfg.LockAfter <= 0 {
		return false
	}
	if s == nil {
		s = &strikes{}
		a.strikes[ak] = s
	}
	s.failures++
	if s.failures > a.cfg.LockAfter {
		s.failures = 0
		s.lockedUntil = now.Add(a.cfg.LockFor)
	}
	return false
}

type signature struct {
	access        string
	signedHeaders []string
	signature     string
}

// parseAuthorization reads "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b,
// Signature=hex".
func parseAuthorization(h string) (signature, error) {
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != Algorithm {
		return signature{}, fmt.Errorf("the Authorization header must start with %s", Algorithm)
	}
	var sig signature
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Access":
			sig.access = v
		case "SignedHeaders":
			sig.signedHeaders = strings.Split(v, ";")
		case "Signature":
			sig.signature = v
		}
	}
	if sig.access == "" || len(sig.signedHeaders) == 0 || sig.signedHeaders[0] == "" || sig.signature == "" {
		return signature{}, fmt.Errorf("the Authorization header needs Access, SignedHeaders and Signature")
	}
	return sig, nil
}

// CanonicalRequest builds the six lines the signature covers, from the
// headers the client says it signed (reference §5.4).
func CanonicalRequest(r Request, signedHeaders []string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.Path))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.RawQuery))
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		name = strings.ToLower(strings.TrimSpace(name))
		value := r.Header.Get(name)
		if name == "host" {
			value = r.Host
		}
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.TrimSpace(value))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	if h := r.Header.Get("X-Sdk-Content-Sha256"); h != "" {
		b.WriteString(h)
	} else {
		sum := sha256.Sum256(r.Body)
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	return b.String()
}

// bodyMatchesHash reports whether X-Sdk-Content-Sha256, when the client
// sends a hash there, is the body's. UNSIGNED-PAYLOAD (and no header) leave
// the body out of the check, as the SDK documents.
func bodyMatchesHash(r Request) bool {
	h := r.Header.Get("X-Sdk-Content-Sha256")
	if h == "" || h == "UNSIGNED-PAYLOAD" {
		return true
	}
	sum := sha256.Sum256(r.Body)
	return strings.EqualFold(h, hex.EncodeToString(sum[:]))
}

// StringToSign is what the HMAC covers.
func StringToSign(date, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + date + "\n" + hex.EncodeToString(sum[:])
}

// Sign is the hex HMAC-SHA256 of the string to sign, keyed with the raw SK.
func Sign(sk, stringToSign string) string {
	m := hmac.New(sha256.New, []byte(sk))
	m.Write([]byte(stringToSign))
	return hex.EncodeToString(m.Sum(nil))
}

// canonicalURI escapes each path segment and ends the path with "/".
func canonicalURI(path string) string {
	segments := strings.Split(path, "/")
	for i, s := range segments {
		segments[i] = escape(s)
	}
	uri := strings.Join(segments, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

// canonicalQuery sorts keys and each key's values.
func canonicalQuery(raw string) string {
	q, _ := url.ParseQuery(raw)
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		values := slices.Clone(q[k])
		slices.Sort(values)
		for _, v := range values {
			parts = append(parts, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(parts, "&")
}

// escape percent-encodes all but the unreserved characters, upper-case hex.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
