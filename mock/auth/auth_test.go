package auth_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cocmock/cocmock/mock/auth"
	"github.com/cocmock/cocmock/mock/auth/authtest"
)

const (
	ak   = "HPUAEXAMPLEAK0000001"
	sk   = "example-secret-key-0001"
	path = "/v1/external/incident/handle"
	body = `{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1","parameter":{}}`
)

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// tfSign signs a request the way Terraform's signer does (authtest).
func tfSign(t *testing.T, r *auth.Request, key, secret string, at time.Time) {
	t.Helper()
	authtest.TerraformSign(r.Method, r.Path, r.RawQuery, r.Header, r.Body, key, secret, at)
}

func terraformRequest() *auth.Request {
	return &auth.Request{
		Method: "POST", Path: path, Host: "coc.myhuaweicloud.com",
		Header: http.Header{
			"Accept":       {"application/json"},
			"Content-Type": {"application/json"},
			"User-Agent":   {"terraform-provider-iac"},
		},
		Body: []byte(body),
	}
}

func newAuth(t *testing.T, cfg auth.Config) *auth.Authenticator {
	t.Helper()
	if cfg.Mode == "" {
		cfg.Mode = auth.AKSK
	}
	if cfg.Keys == nil && cfg.Mode == auth.AKSK {
		cfg.Keys = map[string]string{ak: sk}
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSignatures(t *testing.T) {
	a := newAuth(t, auth.Config{})
	cases := []struct {
		name   string
		make   func() *auth.Request
		at     time.Time
		reason string // "" for success
	}{
		{"Terraform signs accept;content-type;user-agent;x-sdk-date and adds X-Project-Id after", func() *auth.Request {
			r := terraformRequest()
			tfSign(t, r, ak, sk, now)
			return r
		}, now, ""},
		{"a sorted query string is part of the signature", func() *auth.Request {
			r := terraformRequest()
			r.RawQuery = "b=2&a=1"
			tfSign(t, r, ak, sk, now)
			return r
		}, now, ""},
		{"clock 14 minutes behind is within the window", func() *auth.Request {
			r := terraformRequest()
			tfSign(t, r, ak, sk, now.Add(-14*time.Minute))
			return r
		}, now, ""},
		{"clock 16 minutes behind → x-sdk-date expired", func() *auth.Request {
			r := terraformRequest()
			tfSign(t, r, ak, sk, now.Add(-16*time.Minute))
			return r
		}, now, auth.ReasonDate},
		{"clock 16 minutes ahead → x-sdk-date expired", func() *auth.Request {
			r := terraformRequest()
			tfSign(t, r, ak, sk, now.Add(16*time.Minute))
			return r
		}, now, auth.ReasonDate},
		{"body changed after signing → signature fail", func() *auth.Request {
			r := terraformRequest()
			tfSign(t, r, ak, sk, now)
			r.Body = []byte(strings.Replace(body, "IM1", "IM2", 1))
			return r
		}, now, auth.ReasonSignature},
		{"a signed header changed after signing → signature fail", func() *auth.Request {
			r := terraformRequest()
			tfSign(t, r, ak, sk, now)
			r.Header.Set("User-Agent", "someone-else")
			return r
		}, now, auth.ReasonSignature},
		{"wrong SK → signature fail", func() *auth.Request {
			r := terraformRequest()
			tfSign(t, r, ak, "not-the-secret", now)
			return r
		}, now, auth.ReasonSignature},
		{"unknown AK → ak not exist", func() *auth.Request {
			r := terraformRequest()
			tfSign(t, r, "NOSUCHAK", sk, now)
			return r
		}, now, "Get secretKey failed,ak:NOSUCHAK,err:ak not exist"},
		{"no Authorization → x-auth-token not found", terraformRequest, now, auth.ReasonNoToken},
		{"another algorithm → signature fail", func() *auth.Request {
			r := terraformRequest()
			r.Header.Set("Authorization", "SDK-HMAC-SM3 Access=x, SignedHeaders=a, Signature=b")
			return r
		}, now, auth.ReasonSignature + ": the Authorization header must start with SDK-HMAC-SHA256"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := a.Check(*tc.make(), tc.at)
			if tc.reason == "" {
				if !res.OK {
					t.Fatalf("refused: %s\ncanonical request:\n%s", res.Reason, res.CanonicalRequest)
				}
				return
			}
			if res.OK || res.Reason != tc.reason {
				t.Fatalf("ok=%v reason %q, want %q", res.OK, res.Reason, tc.reason)
			}
		})
	}
}

func TestUnsignedPayloadHeader(t *testing.T) {
	a := newAuth(t, auth.Config{})
	r := terraformRequest()
	r.Header.Set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")
	tfSignWithBodyHash(t, r, "UNSIGNED-PAYLOAD")
	r.Body = []byte("anything at all")
	if res := a.Check(*r, now); !res.OK {
		t.Fatalf("%s\n%s", res.Reason, res.CanonicalRequest)
	}
}

// A client-supplied body hash must be the body's: otherwise a changed body
// would pass under the original signature.
func TestContentSha256MustBeTheBodysHash(t *testing.T) {
	a := newAuth(t, auth.Config{})
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	good := terraformRequest()
	good.Header.Set("X-Sdk-Content-Sha256", hash)
	tfSignWithBodyHash(t, good, hash)
	if res := a.Check(*good, now); !res.OK {
		t.Fatalf("the matching hash was refused: %s", res.Reason)
	}
	changed := terraformRequest()
	changed.Header.Set("X-Sdk-Content-Sha256", hash)
	tfSignWithBodyHash(t, changed, hash)
	changed.Body = []byte(`{"incident_num":"IM2","operator":"u","operate_key":"acceptedIncident1","parameter":{}}`)
	if res := a.Check(*changed, now); res.OK || !strings.Contains(res.Reason, "X-Sdk-Content-Sha256 is not the SHA-256 of the body") {
		t.Fatalf("a changed body under the original hash: ok=%v %q", res.OK, res.Reason)
	}
}

// tfSignWithBodyHash signs with a given body hash line, as a client that
// sends X-Sdk-Content-Sha256 does.
func tfSignWithBodyHash(t *testing.T, r *auth.Request, bodyHash string) {
	t.Helper()
	r.Header.Set("X-Sdk-Date", now.Format("20060102T150405Z"))
	signed := []string{"x-sdk-content-sha256", "x-sdk-date"}
	cr := "POST\n" + path + "/\n\n" +
		"x-sdk-content-sha256:" + bodyHash + "\n" + "x-sdk-date:" + r.Header.Get("X-Sdk-Date") + "\n\n" +
		strings.Join(signed, ";") + "\n" + bodyHash
	h := sha256.Sum256([]byte(cr))
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte("SDK-HMAC-SHA256\n" + r.Header.Get("X-Sdk-Date") + "\n" + hex.EncodeToString(h[:])))
	r.Header.Set("Authorization", "SDK-HMAC-SHA256 Access="+ak+", SignedHeaders="+strings.Join(signed, ";")+", Signature="+hex.EncodeToString(mac.Sum(nil)))
}

func TestFailedCheckShowsTheCanonicalRequest(t *testing.T) {
	a := newAuth(t, auth.Config{})
	r := terraformRequest()
	tfSign(t, r, ak, "wrong", now)
	res := a.Check(*r, now)
	want := "POST\n/v1/external/incident/handle/\n\naccept:application/json\ncontent-type:application/json\nuser-agent:terraform-provider-iac\nx-sdk-date:20261127T100000Z\n\naccept;content-type;user-agent;x-sdk-date\n"
	if res.OK || !strings.HasPrefix(res.CanonicalRequest, want) || res.Principal != ak {
		t.Fatalf("canonical request:\n%s", res.CanonicalRequest)
	}
	if !strings.HasPrefix(res.StringToSign, "SDK-HMAC-SHA256\n20261127T100000Z\n") {
		t.Fatalf("string to sign:\n%s", res.StringToSign)
	}
}

func TestLockOutAfterTheSixthFailureAndRelease(t *testing.T) {
	a := newAuth(t, auth.Config{LockAfter: 5, LockFor: 5 * time.Minute})
	bad := terraformRequest()
	tfSign(t, bad, ak, "wrong", now)
	good := terraformRequest()
	tfSign(t, good, ak, sk, now)
	for i := 1; i <= 6; i++ {
		if res := a.Check(*bad, now); res.Reason != auth.ReasonSignature {
			t.Fatalf("failure %d: %q", i, res.Reason)
		}
	}
	if res := a.Check(*good, now.Add(time.Second)); res.OK || res.Reason != auth.ReasonLocked {
		t.Fatalf("after six failures a good signature must meet the lock: ok=%v %q", res.OK, res.Reason)
	}
	later := now.Add(5*time.Minute + time.Second)
	fresh := terraformRequest()
	tfSign(t, fresh, ak, sk, later)
	if res := a.Check(*fresh, later); !res.OK {
		t.Fatalf("after the lock time: %q", res.Reason)
	}
}

func TestFiveFailuresThenASuccessDoNotLock(t *testing.T) {
	a := newAuth(t, auth.Config{LockAfter: 5, LockFor: 5 * time.Minute})
	bad, good := terraformRequest(), terraformRequest()
	tfSign(t, bad, ak, "wrong", now)
	tfSign(t, good, ak, sk, now)
	for range 5 {
		a.Check(*bad, now)
	}
	if res := a.Check(*good, now); !res.OK {
		t.Fatalf("five failures must not lock: %q", res.Reason)
	}
	for range 5 {
		a.Check(*bad, now)
	}
	if res := a.Check(*good, now); !res.OK {
		t.Fatalf("a success must clear the count: %q", res.Reason)
	}
}

func TestTokenMode(t *testing.T) {
	anyToken := newAuth(t, auth.Config{Mode: auth.Token})
	oneToken := newAuth(t, auth.Config{Mode: auth.Token, Token: "t0k"})
	with := func(tok string) auth.Request {
		h := http.Header{}
		if tok != "" {
			h.Set("X-Auth-Token", tok)
		}
		return auth.Request{Method: "POST", Path: path, Header: h}
	}
	cases := []struct {
		name   string
		a      *auth.Authenticator
		token  string
		reason string
	}{
		{"any token passes", anyToken, "whatever", ""},
		{"no token → x-auth-token not found", anyToken, "", auth.ReasonNoToken},
		{"the required token passes", oneToken, "t0k", ""},
		{"another token → decrypt token fail", oneToken, "nope", auth.ReasonBadToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.a.Check(with(tc.token), now)
			if res.OK != (tc.reason == "") || res.Reason != tc.reason {
				t.Fatalf("ok=%v %q", res.OK, res.Reason)
			}
		})
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	if _, err := auth.New(auth.Config{Mode: auth.AKSK}); err == nil {
		t.Fatal("aksk without keys")
	}
	if _, err := auth.New(auth.Config{Mode: "magic"}); err == nil {
		t.Fatal("unknown mode")
	}
}

func TestHostIsSignedFromTheRequestsHost(t *testing.T) {
	a := newAuth(t, auth.Config{})
	r := terraformRequest()
	// The client signs its Host header; Go's server moves it out of the
	// header map into Request.Host, where the verifier must look.
	r.Header.Set("Host", r.Host)
	tfSign(t, r, ak, sk, now)
	r.Header.Del("Host")
	if res := a.Check(*r, now); !res.OK || !strings.Contains(res.CanonicalRequest, "\nhost:coc.myhuaweicloud.com\n") {
		t.Fatalf("ok=%v %q\n%s", res.OK, res.Reason, res.CanonicalRequest)
	}
	r.Host = "elsewhere.example"
	if res := a.Check(*r, now); res.OK {
		t.Fatal("a signature over another host passed")
	}
}

func TestParallelFailuresCannotSlipPastTheLock(t *testing.T) {
	a := newAuth(t, auth.Config{LockAfter: 5, LockFor: time.Minute})
	bad := terraformRequest()
	tfSign(t, bad, ak, "wrong", now)
	reasons := make(chan string, 40)
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reasons <- a.Check(*bad, now).Reason
		}()
	}
	wg.Wait()
	close(reasons)
	count := map[string]int{}
	for r := range reasons {
		count[r]++
	}
	if count[auth.ReasonSignature] != 6 || count[auth.ReasonLocked] != 34 {
		t.Fatalf("got %v, want 6 signature failures and 34 refusals by the lock", count)
	}
}
