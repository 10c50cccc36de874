package main

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var httpsLine = regexp.MustCompile(`and (https://\S+) \(certificate sha256 ([0-9A-F:]{95})\)`)

// startWithStdout runs serve with args and returns its URL; its stdout
// (the startup line) is in out.
func startWithStdout(t *testing.T, out **syncBuffer, args ...string) string {
	t.Helper()
	url, stdout, _, _ := startFull(t, args, nil)
	*out = stdout
	return url
}

func fingerprintOf(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func trustPool(t *testing.T, plain string) *x509.CertPool {
	t.Helper()
	resp, err := http.Get(plain + "/__admin/tls/cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	pem, _ := io.ReadAll(resp.Body)
	pool := x509.NewCertPool()
	if resp.StatusCode != 200 || !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("cert.pem: %d %s", resp.StatusCode, pem)
	}
	return pool
}

// HTTPS with the certificate made at start-up, trusted through
// /__admin/tls/cert.pem with verification on, for 127.0.0.1 and for
// localhost; the same journal sees both listeners.
func TestHTTPSWithTheGeneratedCertificate(t *testing.T) {
	var stdout *syncBuffer
	url := startWithStdout(t, &stdout, "--tls-addr", "127.0.0.1:0", "--tls-host", "cocmock.test")
	m := httpsLine.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no https URL and fingerprint on the startup line: %q", stdout.String())
	}
	secure := m[1]
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: trustPool(t, url)}}}
	for _, host := range []string{secure, strings.Replace(secure, "127.0.0.1", "localhost", 1)} {
		req, _ := http.NewRequest("POST", host+"/v1/external/incident/handle", strings.NewReader(`{"incident_num":"IM-TLS","operator":"u","operate_key":"acceptedIncident1"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.TLS == nil {
			t.Fatalf("%s: %d", host, resp.StatusCode)
		}
		if fp := fingerprintOf(resp.TLS.PeerCertificates[0]); fp != m[2] {
			t.Fatalf("served certificate %s, startup line %s", fp, m[2])
		}
	}
	resp, err := http.Get(url + "/__admin/requests?incident_num=IM-TLS")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"count":2`) {
		t.Fatalf("the plain listener's journal lacks the HTTPS calls: %s", body)
	}
	// Without trusting it, verification fails: the check is real.
	if _, err := http.Get(secure + "/__admin/health"); err == nil {
		t.Fatal("an untrusted self-signed certificate verified")
	}
}

func TestHTTPSWithAGivenCertificate(t *testing.T) {
	var stdout *syncBuffer
	url := startWithStdout(t, &stdout, "--tls-addr", "127.0.0.1:0", "--tls-cert", "../../testdata/tls/cert.pem", "--tls-key", "../../testdata/tls/key.pem")
	m := httpsLine.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("startup line %q", stdout.String())
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: trustPool(t, url), ServerName: "fixture.test"}}}
	resp, err := client.Get(m[1] + "/__admin/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS.PeerCertificates[0].Subject.CommonName != "cocmock test fixture" {
		t.Fatalf("%d %v", resp.StatusCode, resp.TLS.PeerCertificates[0].Subject)
	}
}

func TestTLSFlagMistakes(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--tls-cert", "../../testdata/tls/cert.pem", "--tls-key", "../../testdata/tls/key.pem"}, // no --tls-addr
		{"serve", "--tls-addr", "127.0.0.1:0", "--tls-cert", "../../testdata/tls/cert.pem"},               // no key
		{"serve", "--tls-addr", "127.0.0.1:0", "--tls-cert", "../../testdata/tls/key.pem", "--tls-key", "../../testdata/tls/key.pem"},
	} {
		if _, err := runCmd(args...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: %v", args, err)
		}
	}
	// Without HTTPS, the certificate's address says so.
	url, _, _ := start(t, nil, nil)
	resp, err := http.Get(url + "/__admin/tls/cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("%d", resp.StatusCode)
	}
}
