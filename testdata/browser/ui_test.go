// Package browser_test drives cocmock's dashboard (/__admin/ui/) in a real
// browser: Debian's chromium, through chromedp. It lives in its own module
// so that chromedp stays out of the main module's requirements.
//
//	cd testdata/browser && go test ./...
//
// Without a browser the tests skip, saying so, except under CI=true, where
// they fail. Screenshots of each step go to the test's temporary folder (or
// COCMOCK_SCREENSHOTS, to keep them); their paths are logged.
package browser_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/httpd"
	"github.com/cocmock/cocmock/mock/mocktest"
)

const token = "ui-test-token"

// browser starts a headless chromium for the test, or skips without one.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no chromium found; CI must install Debian's chromium package")
		}
		t.Skip("no chromium on this machine: install Debian's chromium package to run the browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// shot saves a screenshot of the page under the test's temporary folder.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := os.Getenv("COCMOCK_SCREENSHOTS") // to keep them past the test
	if dir == "" {
		dir = t.TempDir()
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", file)
}

// failed shows the page as it was when a step failed, and stops the test.
func failed(t *testing.T, ctx context.Context, err error) {
	t.Helper()
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText + "\n" + (window.__errors || []).join("\n")`))
	shot(t, ctx, "failed")
	t.Fatalf("%v\npage:\n%s", err, text)
}

// send posts a body to the sandbox as a client would.
func send(t *testing.T, url, path, body string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitText waits until the element's text contains want.
func waitText(sel, want string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](fmt.Sprintf(`(document.querySelector(%q)?.innerText || "").includes(%q)`, sel, want), chromedp.WithPollingTimeout(10*time.Second))
}

func TestDashboard(t *testing.T) {
	ctx := browser(t)
	srv := mocktest.NewServer(t, mocktest.WithEdge(httpd.Config{AdminToken: token}))
	page := srv.URL + "/__admin/ui/"

	// Without the token the page shows no data, only the token form.
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible("#login")); err != nil {
		t.Fatal(err)
	}
	send(t, srv.URL, "/v1/external/incident/handle", mocktest.HandleBody("IM-SECRET", "acceptedIncident1"))
	time.Sleep(300 * time.Millisecond) // a page that could stream would show it by now
	appHidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("#app")).display === "none"`))
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Text("body"))
	if err != nil {
		t.Fatal(err)
	}
	if !appHidden || strings.Contains(body, "IM-SECRET") {
		t.Fatalf("data shown without the token: hidden=%v", appHidden)
	}
	shot(t, ctx, "1-locked")

	// With the token: the live list, then rows as requests arrive.
	if err := chromedp.Do(ctx, chromedp.SendKeys("#token", token), chromedp.Click(`#login button[type="submit"]`),
		chromedp.WaitVisible("#requests"), waitText("#requests", "IM-SECRET"), waitText("#live", "live")); err != nil {
		failed(t, ctx, err)
	}
	create := `{"incident_level":"level_30","is_service_interrupt":"false","incident_type":"t","incident_title":"UI","incident_source":"incident_source_manual","creator":"c"}`
	send(t, srv.URL, "/v1/external/incident/create", create)
	num := srv.Requests(mock.Filter{Operation: "CreateCocIncident"})[0].IncidentNum
	if err := chromedp.Do(ctx, waitText("#requests", "CreateCocIncident"), waitText("#incidents", num),
		chromedp.WaitVisible(fmt.Sprintf(`[data-incident=%q] g.current[data-status="INCIDENT_STATUS_TRIGGERED"]`, num))); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "2-live")

	// The ticket's status on the diagram moves after accept.
	send(t, srv.URL, "/v1/external/incident/handle", mocktest.HandleBody(num, "acceptedIncident1"))
	if err := chromedp.Do(ctx, chromedp.WaitVisible(fmt.Sprintf(`[data-incident=%q] g.current[data-status="INCIDENT_STATUS_ACKNOWLEDGED"]`, num))); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "3-accepted")

	// A contract violation is marked, and its field named in the detail.
	send(t, srv.URL, "/v1/external/incident/handle", mocktest.HandleBodyWith("IM-BAD", "commitSolution1", map[string]any{"mtm_type": "t", "is_service_interrupt": true, "solution": "s"}))
	if err := chromedp.Do(ctx, waitText("#requests", "⚠ violation"),
		chromedp.Click(`#requests tbody tr.s4`), chromedp.WaitVisible("#detail-pane")); err != nil {
		t.Fatal(err)
	}
	detail, err := chromedp.Run(ctx, chromedp.Text("#detail"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, "parameter.cause") || !strings.Contains(detail, "Contract violations") {
		t.Fatalf("detail does not name the field:\n%s", detail)
	}
	shot(t, ctx, "4-detail")

	// Switching the session's scenario changes the next reply.
	if err := chromedp.Do(ctx, chromedp.Click(`button[data-scenario="outage"]`), waitText("#active-scenario", "outage")); err != nil {
		t.Fatal(err)
	}
	if got := send(t, srv.URL, "/v1/external/incident/handle", mocktest.HandleBody("IM-OUT", "acceptedIncident1")); got != 503 {
		t.Fatalf("after switching to outage: %d", got)
	}
	if err := chromedp.Do(ctx, waitText("#requests", "IM-OUT")); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "5-outage")

	// A narrow window stacks the panes; the page stays usable.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(420, 900)); err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("#incidents-pane").getBoundingClientRect().width`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 420 {
		t.Fatalf("on a narrow window the tickets pane is %.0fpx wide", width)
	}
	shot(t, ctx, "6-narrow")
}
