package httpd

import (
	"github.com/labstack/echo/v4"

	"github.com/cocmock/cocmock/mock"
)

func problem(c echo.Context, status int, title, detail string) error {
	return writeProblem(c, mock.Problem{Title: title, Status: status, Detail: detail})
}

func writeProblem(c echo.Context, p mock.Problem) error {
	r := p.Reply()
	return c.Blob(r.Status, mock.ProblemType, r.Body)
}
