package httpd

import (
	"embed"
	"html/template"
	"net/http"
	"path"

	"github.com/labstack/echo/v4"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/mock"
)

// The dashboard: a page rendered with html/template and a small script of
// our own, embedded in the binary (nothing is loaded from elsewhere). It
// reads the same /__admin JSON and event stream a script would.
//
//go:embed ui/index.html ui/app.js ui/app.css
var uiFiles embed.FS

var uiPage = template.Must(template.ParseFS(uiFiles, "ui/index.html"))

// uiData is what the page shows before its script runs: with an admin
// token set, nothing (the script asks for the token and fetches it).
type uiData struct {
	Locked    bool
	Requests  []mock.Exchange
	Incidents []incidentView
	Scenarios []scenarioInfo
	Active    string
}

// incidentView is an incident as the sandbox keeps it, with the detail
// view a client reads.
type incidentView struct {
	mock.Incident
	Detail incident.Detail `json:"detail"`
}

func (s *Server) uiRedirect(c echo.Context) error {
	return c.Redirect(http.StatusMovedPermanently, AdminPrefix+"/ui/")
}

func (s *Server) ui(c echo.Context) error {
	data := uiData{Locked: s.cfg.AdminToken != ""}
	if !data.Locked {
		data.Requests, _ = s.engine.Requests("", mock.Filter{Limit: 50})
		data.Incidents = s.incidentViews("")
		data.Scenarios = s.scenarioInfos()
		data.Active = s.engine.ActiveScenario("")
	}
	c.Response().Header().Set("Content-Type", "text/html; charset=utf-8")
	c.Response().Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	c.Response().WriteHeader(http.StatusOK)
	return uiPage.Execute(c.Response(), data)
}

func (s *Server) uiAsset(c echo.Context) error {
	name := path.Base(c.Param("asset"))
	b, err := uiFiles.ReadFile("ui/" + name)
	if err != nil || name == "index.html" {
		return problem(c, http.StatusNotFound, "No such dashboard file", "the dashboard has app.js and app.css; the page is "+AdminPrefix+"/ui/")
	}
	ctype := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}[path.Ext(name)]
	return c.Blob(http.StatusOK, ctype, b)
}

func (s *Server) incidentViews(session string) []incidentView {
	list := s.engine.Incidents(session)
	out := make([]incidentView, 0, len(list))
	for _, inc := range list {
		out = append(out, incidentView{Incident: inc, Detail: inc.Detail()})
	}
	return out
}
