# Batch image of ghostrnn for cluster runs (docs/scale-out.md): a static
# binary built without cgo and without PortAudio (the nolive build tag drops
# the live, latency and devices commands' audio I/O), on an empty base.
#
#   docker build -t ghostrnn:batch .
#   docker run --rm -v "$PWD/in:/data/in:ro" -v "$PWD/out:/data/out" ghostrnn:batch \
#       denoise --skip-existing --out-dir /data/out /data/in
#
# The build stage runs `make batch`, the same target CI runs
# (deploy/deploy_test.go builds with it and checks the binary is static and
# cleans like the regular build), so the flags live in one place: the Makefile.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN make batch BATCH_OUT=/out/ghostrnn

# The runtime stage holds nothing but the binary: no shell, no libc.
FROM scratch
COPY --from=build /out/ghostrnn /ghostrnn
# An unprivileged user; give the volume's group with the pod's fsGroup.
USER 65532:65532
ENTRYPOINT ["/ghostrnn"]
CMD ["--help"]
