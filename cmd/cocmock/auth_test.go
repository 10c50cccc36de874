package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAuthFlags(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "creds.yaml")
	if err := os.WriteFile(creds, []byte("AK1: SK1\nAK2: SK2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badCreds := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badCreds, []byte("- AK1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"aksk without keys", []string{"--auth", "aksk"}, "at least one AK/SK pair"},
		{"ak without sk", []string{"--auth", "aksk", "--ak", "A"}, "--ak and --sk go together"},
		{"keys without aksk", []string{"--ak", "A", "--sk", "S"}, "use --auth aksk"},
		{"token without token mode", []string{"--token", "t"}, "use --auth token"},
		{"unknown mode", []string{"--auth", "magic"}, "want none, token or aksk"},
		{"credentials not a mapping", []string{"--auth", "aksk", "--credentials", badCreds}, "YAML mapping of AK: SK"},
		{"negative rate limit", []string{"--rate-limit", "-1"}, "--rate-limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runCmd(append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || exitCode(err) != 2 {
				t.Fatalf("err %v (exit %d), want %q and exit 2", err, exitCode(err), tc.want)
			}
		})
	}
	t.Run("credentials file and env twins start a locked-down server", func(t *testing.T) {
		url, _, _ := start(t, []string{"--credentials", creds}, map[string]string{"COCMOCK_AUTH": "aksk"})
		resp, err := http.Post(url+"/v1/external/incident/handle", "application/json",
			strings.NewReader(`{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 || !strings.Contains(string(b), "APIGW.0301") {
			t.Fatalf("unsigned call: %d %s", resp.StatusCode, b)
		}
	})
	t.Run("token mode via env twins", func(t *testing.T) {
		url, _, _ := start(t, nil, map[string]string{"COCMOCK_AUTH": "token", "COCMOCK_TOKEN": "t0k"})
		for tok, want := range map[string]int{"": 401, "nope": 401, "t0k": 200} {
			req, _ := http.NewRequest("POST", url+"/v1/external/incident/handle",
				strings.NewReader(`{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`))
			req.Header.Set("Content-Type", "application/json")
			if tok != "" {
				req.Header.Set("X-Auth-Token", tok)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Fatalf("token %q: %d, want %d", tok, resp.StatusCode, want)
			}
		}
	})
}
