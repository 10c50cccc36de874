# cocmock in a container: a static binary on distroless, running as non-root.
#
#   docker build -t cocmock .
#   docker run --rm -p 127.0.0.1:8080:8080 cocmock
#   docker run --rm -p 127.0.0.1:8080:8080 -v "$PWD/my-scenarios:/scenarios:ro" \
#     -e COCMOCK_SCENARIOS=/scenarios -e COCMOCK_SCENARIO=my-team cocmock
#
# Configure it with the COCMOCK_<FLAG> environment twins rather than flags:
# the HEALTHCHECK (`cocmock health`) reads COCMOCK_ADDR too, so the address
# the server listens on and the one the probe calls stay the same.
#
# /scenarios is the conventional mount point for your scenario files. It is
# not enabled by default (COCMOCK_SCENARIOS is unset) because --scenarios
# naming a missing folder stops the server; set COCMOCK_SCENARIOS=/scenarios
# when you mount one, as docker-compose.yml does.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# Dependencies first, in their own layer: it is rebuilt only when go.mod or
# go.sum change, not on every source edit.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/cocmock ./cmd/cocmock

# static-debian12: CA certificates, tzdata and /etc/passwd, no shell, no libc.
# The :nonroot tag runs as uid/gid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="cocmock" \
      org.opencontainers.image.description="Sandbox of Huawei Cloud COC's incident API (v1 and v2)"
COPY --from=build /out/cocmock /cocmock
USER 65532:65532
# Listen on every interface inside the container (the binary's own default
# is 127.0.0.1, unreachable through a published port).
ENV COCMOCK_ADDR=0.0.0.0:8080
EXPOSE 8080 8443
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/cocmock", "health"]
ENTRYPOINT ["/cocmock"]
CMD ["serve"]
