# ghostrnn — see README.md.
GO ?= go

.PHONY: setup example test build bench clean batch plugin install-plugin

# `ghostrnn --version` prints this (the toolchain's VCS stamp is off with -buildvcs=false).
VERSION ?= $(shell git describe --always --dirty 2>/dev/null)
LDFLAGS := -X github.com/ghostrnn/ghostrnn/cli.version=$(VERSION)

# Install the system packages (Debian 12) and build the binary; sudo only when not root.
setup:
	@sudo=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends $$(cat .ci/packages)
	$(GO) build -ldflags '$(LDFLAGS)' -o ghostrnn .

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o ghostrnn .

# Clean the bundled example and score it against its clean reference.
example: build
	./ghostrnn denoise --force testdata/example/noisy.wav -o testdata/example/noisy_denoised.wav
	./ghostrnn eval --ref testdata/example/clean.wav --deg testdata/example/noisy.wav
	./ghostrnn eval --ref testdata/example/clean.wav --deg testdata/example/noisy_denoised.wav

# The whole test suite: formatting, vet, unit and integration tests.
test:
	@unformatted=$$(gofmt -l . | grep -v '^vendor/' || true); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

# The LADSPA plugin (plugin/ladspa) as build/ghostrnn_ladspa.so and the same
# library as the LV2 bundle build/ghostrnn.lv2; install-plugin copies them to
# ~/.ladspa and ~/.lv2, where `ghostrnn mic` and the hosts find them.
plugin:
	$(GO) build -buildmode=c-shared -o build/ghostrnn_ladspa.so ./plugin/ladspa
	rm -f build/ghostrnn_ladspa.h
	mkdir -p build/ghostrnn.lv2
	cp build/ghostrnn_ladspa.so build/ghostrnn.lv2/ghostrnn.so
	cp plugin/ladspa/ghostrnn.lv2/*.ttl build/ghostrnn.lv2/

install-plugin: plugin
	mkdir -p $(HOME)/.ladspa $(HOME)/.lv2
	cp build/ghostrnn_ladspa.so $(HOME)/.ladspa/
	rm -rf $(HOME)/.lv2/ghostrnn.lv2
	cp -r build/ghostrnn.lv2 $(HOME)/.lv2/

bench: build
	./ghostrnn bench --jobs 1
	$(GO) test -run '^$$' -bench . -benchmem ./dsp/ ./enhancer/

clean:
	rm -f ghostrnn testdata/example/noisy_denoised.wav
	rm -rf build

# The static batch binary the Dockerfile builds (no cgo, no PortAudio); see docs/scale-out.md.
BATCH_OUT ?= ghostrnn-batch
batch:
	CGO_ENABLED=0 $(GO) build -tags nolive -ldflags='-s -w' -o $(BATCH_OUT) .
