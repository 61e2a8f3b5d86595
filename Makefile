# xjob — every test runs with `make test` on a fresh machine that has only Go.
.PHONY: test generate build bench vet

test:
	bash scripts/test.sh

generate:
	go tool templ generate
	go tool wire gen .

build:
	go build -o bin/xjob ./cmd/xjob

vet:
	go vet ./...

bench:
	bash scripts/bench.sh
