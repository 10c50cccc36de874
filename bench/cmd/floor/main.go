// Command floor serves the speed benchmarks' floor (package floor) as its
// own process, as BenchmarkProcess runs it.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/cocmock/cocmock/bench/floor"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	flag.Parse()
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/external/incident/handle", floor.Handler)
	mux.HandleFunc("/__admin/health", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"status":"ok"}`)) })
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
