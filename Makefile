# The two set-up commands are `make run` and `make test`; see README.md.
MVN ?= mvn
MVN_FLAGS ?= -B

.PHONY: build run test sync sources check clean

## build: compile and assemble the distribution (target/connectors/lib + bin/connectors), no tests
build:
	$(MVN) $(MVN_FLAGS) -DskipTests install

## run: the daemon with config.yml; starts a local Elasticsearch when none is configured
run: build
	./bin/connectors run

## test: unit tests and integration tests against a real Elasticsearch (mvn verify)
test:
	$(MVN) $(MVN_FLAGS) verify

## sync: one full sync of a connector now, e.g. make sync NAME=docs
sync: build
	./bin/connectors sync $(or $(NAME),docs)

## sources: the source types found and their configuration fields
sources: build
	./bin/connectors sources

## check: validate config.yml and reach Elasticsearch and every source
check: build
	./bin/connectors config check

clean:
	$(MVN) $(MVN_FLAGS) -q clean
	rm -rf target
