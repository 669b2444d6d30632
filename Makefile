# Build helpers. The Go tool does the real work; these targets only name
# the steps that need more than one command.

GOROOT := $(shell go env GOROOT)
WASM_DIR := site/static/wasm

.PHONY: wasm test-wasm build

## wasm: the codec compiled to WebAssembly, next to Go's wasm_exec.js, where
## the portal and the offline workbench load it from.
wasm:
	mkdir -p $(WASM_DIR)
	GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o $(WASM_DIR)/licet.wasm ./wasm
	cp $(GOROOT)/lib/wasm/wasm_exec.js $(WASM_DIR)/wasm_exec.js
	gzip -9 -k -f $(WASM_DIR)/licet.wasm
	@printf 'wasm: %s bytes, %s gzipped\n' $$(stat -c %s $(WASM_DIR)/licet.wasm) $$(stat -c %s $(WASM_DIR)/licet.wasm.gz)

## test-wasm: the pure packages' Go tests under Node, then the JavaScript
## tests of the module's API against the shared vector files.
test-wasm: wasm
	GOOS=js GOARCH=wasm go test -count=1 -exec=$(GOROOT)/lib/wasm/go_js_wasm_exec ./codec/... ./airgap/fountain/... ./airgap/base45/... ./wasm/...
	node --test wasm/test/

## build: both binaries into ./bin.
build: wasm
	go build -o bin/ ./cmd/licet ./cmd/licetd
