package mock_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/auth"
	"github.com/cocmock/cocmock/mock/auth/authtest"
	"github.com/cocmock/cocmock/mock/mocktest"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// signed builds a request signed with the package's own signer, as the SDK
// signs (user-agent;x-sdk-date).
func signed(clock mock.Clock, key, secret, body string) mock.Request {
	h := http.Header{"Content-Type": {"application/json;charset=UTF-8"}, "User-Agent": {"huaweicloud-usdk-go/3.0"},
		"X-Sdk-Date": {clock.Now().UTC().Format(auth.DateLayout)}}
	r := auth.Request{Method: "POST", Path: handlePath, Header: h, Body: []byte(body)}
	signedHeaders := []string{"user-agent", "x-sdk-date"}
	sig := auth.Sign(secret, auth.StringToSign(h.Get("X-Sdk-Date"), auth.CanonicalRequest(r, signedHeaders)))
	h.Set("Authorization", "SDK-HMAC-SHA256 Access="+key+", SignedHeaders=user-agent;x-sdk-date, Signature="+sig)
	return mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: "POST", Path: handlePath, Header: h, Body: []byte(body), ClientAddr: "127.0.0.1"}
}

func akskEngine(t *testing.T, clock mock.Clock, opts ...mock.Option) *mock.Engine {
	a, err := auth.New(auth.Config{Mode: auth.AKSK, Keys: map[string]string{"AK1": "SK-one-secret"}, LockAfter: 5, LockFor: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return newEngine(t, append([]mock.Option{mock.WithAuth(a), mock.WithClock(clock)}, opts...)...)
}

func TestSignedRequestPassesAndBadOneIsJournaledWithItsCanonicalRequest(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	eng := akskEngine(t, clock)
	if r := eng.Serve(context.Background(), signed(clock, "AK1", "SK-one-secret", accept("IM1"))); r.Status != 200 {
		t.Fatalf("good signature: %d %s", r.Status, r.Body)
	}
	r := eng.Serve(context.Background(), signed(clock, "AK1", "SK-wrong", accept("IM1")))
	want := `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail","request_id":"0123456789abcdef0123456789abcdef"}`
	if r.Status != 401 || string(r.Body) != want {
		t.Fatalf("bad signature: %d %s", r.Status, r.Body)
	}
	entries, _ := eng.Requests("", mock.Filter{Status: 401})
	if len(entries) != 1 || entries[0].Auth == nil {
		t.Fatalf("journal: %+v", entries)
	}
	x := entries[0]
	if x.Auth.Reason != auth.ReasonSignature || !strings.HasPrefix(x.Auth.CanonicalRequest, "POST\n/v1/external/incident/handle/\n\nuser-agent:huaweicloud-usdk-go/3.0\nx-sdk-date:20261127T100000Z\n\nuser-agent;x-sdk-date\n") {
		t.Fatalf("auth detail %+v", x.Auth)
	}
	b, _ := json.Marshal(x)
	for _, secret := range []string{"SK-one-secret", "SK-wrong", "Signature="} {
		if strings.Contains(string(b), secret) {
			t.Fatalf("%q reached the journal: %s", secret, b)
		}
	}
}

func TestInvalidRequestsAreAuthenticatedFirst(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	eng := akskEngine(t, clock)
	r := eng.Serve(context.Background(), mock.Request{Method: "POST", Path: handlePath, Header: jsonHeader(), Body: []byte(`{}`)})
	if r.Status != 401 {
		t.Fatalf("an unsigned invalid request: %d, want the gateway's 401 first", r.Status)
	}
}

func TestRateLimit(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	eng := newEngine(t, mock.WithClock(clock), mock.WithRateLimit(2))
	from := func(addr string) mock.Reply {
		return eng.Serve(context.Background(), mock.Request{ID: "id", Method: "POST", Path: handlePath, Header: jsonHeader(), Body: []byte(accept("IM1")), ClientAddr: addr})
	}
	for i := range 2 {
		if r := from("10.0.0.1"); r.Status != 200 {
			t.Fatalf("call %d: %d", i+1, r.Status)
		}
	}
	r := from("10.0.0.1")
	if r.Status != 429 || r.Header.Get("Retry-After") != "1" || !strings.Contains(string(r.Body), `"error_code":"APIGW.0308"`) ||
		!strings.Contains(string(r.Body), "policy ip over ratelimit,limit:2,time:1 second") {
		t.Fatalf("third call: %d %v %s", r.Status, r.Header, r.Body)
	}
	if r := from("10.0.0.2"); r.Status != 200 {
		t.Fatalf("another address has its own bucket: %d", r.Status)
	}
	clock.Add(500 * time.Millisecond)
	if r := from("10.0.0.1"); r.Status != 200 {
		t.Fatalf("half a second later one token is back: %d", r.Status)
	}
}

func TestRateLimitPerAK(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	eng := akskEngine(t, clock, mock.WithRateLimit(1))
	if r := eng.Serve(context.Background(), signed(clock, "AK1", "SK-one-secret", accept("IM1"))); r.Status != 200 {
		t.Fatalf("%d", r.Status)
	}
	req := signed(clock, "AK1", "SK-one-secret", accept("IM1"))
	req.ClientAddr = "10.9.9.9" // another address, same AK
	r := eng.Serve(context.Background(), req)
	if r.Status != 429 || !strings.Contains(string(r.Body), "policy user over ratelimit") {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
}

// Terraform's huaweicloud_coc_incident signs every header it sends, the
// content type included, for the create and for the GET detail (no body,
// Content-Type: application/json), and reads the ticket back.
func TestTerraformSignedCreateAndDetail(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	eng := akskEngine(t, clock)
	tfRequest := func(method, path, body string) mock.Request {
		h := http.Header{"Accept": {"application/json"}, "Content-Type": {"application/json"}, "User-Agent": {"terraform-provider-iac"}}
		authtest.TerraformSign(method, path, "", h, []byte(body), "AK1", "SK-one-secret", clock.Now())
		return mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: method, Path: path, Header: h, Body: []byte(body), ClientAddr: "127.0.0.1"}
	}
	// Terraform sends is_service_interrupt as a JSON boolean.
	r := eng.Serve(context.Background(), tfRequest("POST", createPath, createBody(map[string]string{"is_service_interrupt": "true"})))
	var created struct {
		Data struct {
			IncidentNum string `json:"incident_num"`
		} `json:"data"`
	}
	if r.Status != 200 || json.Unmarshal(r.Body, &created) != nil || created.Data.IncidentNum == "" {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	r = eng.Serve(context.Background(), tfRequest("GET", detailPath+created.Data.IncidentNum, ""))
	var read struct {
		Data incident.Detail `json:"data"`
	}
	if r.Status != 200 || json.Unmarshal(r.Body, &read) != nil || read.Data.Status != triggered || !read.Data.IsServiceInterrupt {
		t.Fatalf("detail: %d %s", r.Status, r.Body)
	}
	// A changed body under the same signature is refused: the check is real.
	bad := tfRequest("POST", createPath, createBody(nil))
	bad.Body = []byte(createBody(map[string]string{"incident_title": `"changed"`}))
	if r := eng.Serve(context.Background(), bad); r.Status != 401 {
		t.Fatalf("tampered create: %d", r.Status)
	}
}

// POST /__admin/reset?all=true (ResetAll) lifts lock-outs and throttling.
func TestResetAllLiftsLockOutsAndThrottling(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	eng := akskEngine(t, clock, mock.WithRateLimit(1))
	for range 7 {
		eng.Serve(context.Background(), signed(clock, "AK1", "wrong", `{}`))
	}
	good := mocktest.HandleBody("IM1", "acceptedIncident1")
	if r := eng.Serve(context.Background(), signed(clock, "AK1", "SK-one-secret", good)); r.Status != 401 {
		t.Fatalf("not locked: %d", r.Status)
	}
	eng.ResetAll()
	if r := eng.Serve(context.Background(), signed(clock, "AK1", "SK-one-secret", good)); r.Status != 200 {
		t.Fatalf("after ResetAll the lock-out stays: %d %s", r.Status, r.Body)
	}
	if r := eng.Serve(context.Background(), signed(clock, "AK1", "SK-one-secret", good)); r.Status != 429 {
		t.Fatalf("the second call in the same second is not throttled: %d", r.Status)
	}
	eng.ResetAll()
	if r := eng.Serve(context.Background(), signed(clock, "AK1", "SK-one-secret", good)); r.Status != 200 {
		t.Fatalf("after ResetAll throttling stays: %d", r.Status)
	}
}
