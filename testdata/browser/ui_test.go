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
		chromedp.UserDataDir(t.TempDir()),
		// A zone away from UTC, so that a time shown in UTC is caught.
		chromedp.Env("TZ=Asia/Shanghai"))
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
	if err := chromedp.Do(ctx, waitText("#requests", "⚠ breaks the contract"),
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

// TestDashboardSaysWhyAtBothWidths checks what issue reports of the first
// hour found: the columns that say why are in view at 1280 and at 400 px,
// a 200 carrying a GOM error is marked, every label is in plain words,
// times are local, the request id is shown and searchable, the lifecycle's
// arrows are labelled, and a violated field's highlight covers its own line
// only.
func TestDashboardSaysWhyAtBothWidths(t *testing.T) {
	ctx := browser(t)
	srv := mocktest.NewServer(t)
	page := srv.URL + "/__admin/ui/"
	create := `{"incident_level":"level_30","is_service_interrupt":"false","incident_type":"t","incident_title":"Why","incident_source":"incident_source_manual","creator":"c"}`
	send(t, srv.URL, "/v1/external/incident/create", create)
	send(t, srv.URL, "/v1/external/incident/handle", mocktest.HandleBody("IM-TRAP-E200", "acceptedIncident1"))
	send(t, srv.URL, "/v1/external/incident/handle", mocktest.HandleBodyWith("IM-BAD", "commitSolution1", map[string]any{"mtm_type": "inc_type_p_x", "is_service_interrupt": "maybe", "cause": "c", "solution": "s"}))
	trap := srv.Requests(mock.Filter{IncidentNum: "IM-TRAP-E200"})[0]

	for _, width := range []int{1280, 400} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(page),
				waitText("#live", "live"), waitText("#requests", "IM-TRAP-E200")); err != nil {
				failed(t, ctx, err)
			}
			// The status, the marks (wide) and the why of every row are
			// inside the window, without scrolling sideways.
			cols := []string{"col-status", "col-why", "col-incident"}
			if width >= 1280 {
				cols = append(cols, "col-time", "col-marks", "col-id")
			}
			for _, col := range cols {
				right, err := chromedp.Run(ctx, chromedp.Evaluate[float64](fmt.Sprintf(
					`Math.max(...[...document.querySelectorAll("#requests tbody td.%s")].map((td) => td.getBoundingClientRect().right))`, col)))
				if err != nil {
					t.Fatal(err)
				}
				if right <= 0 || right > float64(width) {
					t.Errorf("at %d px the %s column ends at %.0f px", width, col, right)
				}
			}
			// The trap: a 200 carrying GOM.00007256 says so in the status.
			status, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(
				`document.querySelector('#requests tr[data-request-id=%q] td.col-status').innerText`, trap.RequestID)))
			if err != nil || status != "200 GOM.00007256" {
				t.Errorf("the -E200 row's status reads %q (%v)", status, err)
			}
			// Plain words: none of the old jargon.
			text, err := chromedp.Run(ctx, chromedp.Text("body"))
			if err != nil {
				t.Fatal(err)
			}
			for _, jargon := range []string{"fallback", "(contract)", "(gateway)", "static"} {
				if strings.Contains(text, jargon) {
					t.Errorf("the page still says %q", jargon)
				}
			}
			shot(t, ctx, fmt.Sprintf("%d-requests", width))
		})
	}

	// At 1280: the mark, local times, the request id and its search.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(page), waitText("#live", "live"), waitText("#requests", "IM-TRAP-E200")); err != nil {
		failed(t, ctx, err)
	}
	marks, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('#requests tr[data-request-id=%q] td.col-marks').innerText`, trap.RequestID)))
	if err != nil || !strings.Contains(marks, "error in a 200") {
		t.Errorf("the -E200 row's marks: %q (%v)", marks, err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('#requests tr[data-request-id=%q] td.col-time').innerText`, trap.RequestID)))
	if want := trap.Time.In(mustZone(t, "Asia/Shanghai")).Format("15:04:05.000"); err != nil || shown != want {
		t.Errorf("time shown %q, want the browser's local %q (%v)", shown, want, err)
	}
	if err := chromedp.Do(ctx, search(trap.RequestID[:12]),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("#requests tbody tr").length === 1`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		failed(t, ctx, fmt.Errorf("searching a request id: %w", err))
	}
	shot(t, ctx, "1280-search")

	// The coverage panel counts what this session's client met.
	if err := chromedp.Do(ctx, waitText("#coverage-summary", "items met")); err != nil {
		failed(t, ctx, err)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text("#coverage-summary"))
	want := fmt.Sprintf("%d of %d items met", srv.Coverage().Met, srv.Coverage().Total)
	if err != nil || !strings.HasPrefix(summary, want) {
		t.Errorf("coverage summary %q, want %q… (%v)", summary, want, err)
	}
	missing, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#coverage-missing ul").textContent`))
	if err != nil || !strings.Contains(missing, "fault/reset — end the incident number with -RESET") {
		t.Errorf("the items not met do not say how to meet them: %.300q (%v)", missing, err)
	}

	// The lifecycle's arrows say what moves a ticket along them.
	labels, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("svg.lifecycle text.edge")].map((t) => t.textContent).join("|")`))
	if err != nil || !strings.Contains(labels, "accept") || !strings.Contains(labels, "commit solution") || !strings.Contains(labels, "confirm: no") {
		t.Errorf("arrow labels: %q (%v)", labels, err)
	}

	// The violated field's highlight stays on its own line.
	if err := chromedp.Do(ctx, search("IM-BAD"),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("#requests tbody tr").length === 1`, chromedp.WithPollingTimeout(5*time.Second)),
		chromedp.Click("#requests tbody tr"), chromedp.WaitVisible("#detail mark")); err != nil {
		failed(t, ctx, err)
	}
	overlap, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => {
		const m = document.querySelector("#detail mark"), prev = m.previousElementSibling;
		return prev ? prev.getBoundingClientRect().bottom - m.getBoundingClientRect().top : 0;
	})()`))
	if err != nil || overlap > 0.5 {
		t.Errorf("the highlight covers %.1f px of the line above (%v)", overlap, err)
	}
	shot(t, ctx, "1280-detail")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(400, 900)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "400-detail")
}

// search types into the search box as a person would, replacing what is
// there (the input event is what the page listens to).
func search(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const q = document.querySelector("#f-q"); q.value = %q; q.dispatchEvent(new Event("input")); })()`, text))
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
