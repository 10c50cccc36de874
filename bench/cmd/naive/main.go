// Command naive is the speed benchmarks' second reference: what a person
// would first build with Echo and kin-openapi's openapi3filter, validating
// each request against cocmock's spec and answering fixed bytes. cocmock
// must be at least as fast.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/labstack/echo/v4"

	"github.com/cocmock/cocmock/bench/floor"
	"github.com/cocmock/cocmock/openapi"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8082", "listen address")
	flag.Parse()
	doc, err := openapi3.NewLoader().LoadFromData(openapi.Embedded())
	if err != nil {
		log.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: "/"}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		log.Fatal(err)
	}
	opts := &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/__admin/health", func(c echo.Context) error { return c.JSONBlob(http.StatusOK, []byte(`{"status":"ok"}`)) })
	e.POST("/v1/external/incident/handle", func(c echo.Context) error {
		r := c.Request()
		route, params, err := router.FindRoute(r)
		if err != nil {
			return c.JSONBlob(http.StatusNotFound, []byte(`{"error_code":"APIGW.0101"}`))
		}
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: opts}
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			return c.JSONBlob(http.StatusBadRequest, []byte(`{"error_code":"GOM.00007256","error_msg":"Invalid parameters","provider_code":"049","data":null}`))
		}
		return c.JSONBlob(http.StatusOK, floor.OKBody)
	})
	log.Fatal(e.Start(*addr))
}
