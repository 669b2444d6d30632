# Build helpers. The Go tool does the real work; these targets only name
# the steps that need more than one command.

GOROOT := $(shell go env GOROOT)
WASM_DIR := site/static/wasm
ZXING := node_modules/zxing-wasm
ZXING_DIR := site/static/vendor/zxing-wasm

.PHONY: wasm vendor test-wasm build

## wasm: the codec compiled to WebAssembly, next to Go's wasm_exec.js, where
## the portal and the offline workbench load it from.
wasm:
	mkdir -p $(WASM_DIR)
	GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o $(WASM_DIR)/licet.wasm ./wasm
	cp $(GOROOT)/lib/wasm/wasm_exec.js $(WASM_DIR)/wasm_exec.js
	gzip -9 -k -f $(WASM_DIR)/licet.wasm
	@printf 'wasm: %s bytes, %s gzipped\n' $$(stat -c %s $(WASM_DIR)/licet.wasm) $$(stat -c %s $(WASM_DIR)/licet.wasm.gz)
	@$(MAKE) --no-print-directory vendor

## vendor: the browser build of zxing-wasm (npm, package-lock.json), the
## camera's QR reader where the browser has no BarcodeDetector, copied from
## node_modules into the embedded site. Skipped with a note when npm ci has
## not run; the site then scans only with BarcodeDetector.
vendor:
	@if [ -f $(ZXING)/package.json ]; then \
		mkdir -p $(ZXING_DIR)/es/reader $(ZXING_DIR)/reader && \
		cp $(ZXING)/dist/es/reader/index.js $(ZXING_DIR)/es/reader/index.js && \
		cp $(ZXING)/dist/es/share.js $(ZXING_DIR)/es/share.js && \
		cp $(ZXING)/dist/reader/zxing_reader.wasm $(ZXING_DIR)/reader/zxing_reader.wasm && \
		gzip -9 -k -f $(ZXING_DIR)/reader/zxing_reader.wasm && \
		cp $(ZXING)/LICENSE $(ZXING_DIR)/LICENSE && \
		printf 'zxing-wasm %s: %s bytes of WebAssembly, %s gzipped\n' \
			$$(node -p 'require("./$(ZXING)/package.json").version') \
			$$(stat -c %s $(ZXING_DIR)/reader/zxing_reader.wasm) $$(stat -c %s $(ZXING_DIR)/reader/zxing_reader.wasm.gz); \
	else \
		echo "vendor: $(ZXING) is missing (npm ci, or scripts/deps): the site is built without zxing-wasm"; \
	fi

## test-wasm: the pure packages' Go tests under Node, then the JavaScript
## tests of the module's API against the shared vector files.
test-wasm: wasm
	GOOS=js GOARCH=wasm go test -count=1 -exec=$(GOROOT)/lib/wasm/go_js_wasm_exec ./codec/... ./airgap/fountain/... ./airgap/base45/... ./wasm/...
	node --test wasm/test/

## build: both binaries into ./bin.
build: wasm
	go build -o bin/ ./cmd/licet ./cmd/licetd
