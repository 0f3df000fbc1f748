# The two set-up commands are `make run` and `make test`; see README.md.
MVN ?= mvn
MVN_FLAGS ?= -B

.PHONY: build run test sync sources check docs clean chaos new-source

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

## docs: regenerate docs/CONFIG.md, the configuration reference, with the built distribution
##       (bin/connectors config reference); `make test` fails while it is stale (ConfigReferenceIT)
docs: build
	./bin/connectors config reference > docs/CONFIG.md.tmp || { rm -f docs/CONFIG.md.tmp; exit 1; }
	mv docs/CONFIG.md.tmp docs/CONFIG.md

## ftest: one source end to end through the daemon, verified exactly: make ftest NAME=directory [SIZE=small|medium|large]
##        (small 12,000 documents, the default; medium 100,000; large 1,000,000). Report: functional-tests/target/ftest-NAME.md
JAVA ?= $(if $(JAVA_HOME),$(JAVA_HOME)/bin/java,java)
FTEST_CLASSES ?= functional-tests/target/classes
FTEST_JAVA_OPTS ?= -Xmx1g
.PHONY: ftest
ftest:
	@if [ -z "$(NAME)" ]; then echo "usage: make ftest NAME=<source> [SIZE=small|medium|large]" >&2; exit 2; fi
	$(MAKE) --no-print-directory build
	$(JAVA) $(FTEST_JAVA_OPTS) -cp '$(FTEST_CLASSES):target/connectors/lib/*:target/connectors/ftest-lib/*' \
		io.connectors.functional.FtestMain $(NAME) $(or $(SIZE),small)

## bench: a source's full sync vs the Elasticsearch and source ceilings, re-syncs and memory (not in CI; docs/benchmarks.md):
##        make bench [NAME=directory] [SIZE=medium|large|flatness]. Report: functional-tests/target/bench-NAME.md
BENCH_JAVA_OPTS ?= -Xmx1g
.PHONY: bench
bench:
	$(MAKE) --no-print-directory build
	$(JAVA) $(BENCH_JAVA_OPTS) -Djava.awt.headless=true \
		-cp '$(FTEST_CLASSES):target/connectors/lib/*:target/connectors/ftest-lib/*' \
		io.connectors.functional.bench.BenchMain --home '$(CURDIR)' --name $(or $(NAME),directory) \
		--size $(or $(SIZE),medium) $(BENCH_ARGS)

## chaos: faults and bad input injected into real runs (Elasticsearch killed or overloaded, connections cut, the daemon
##        killed, rejected and awkward documents, malformed config): make chaos [ONLY=name,...]. Report:
##        functional-tests/target/chaos/chaos.md; see docs/chaos.md
CHAOS_JAVA_OPTS ?= -Xmx1g
.PHONY: chaos
chaos:
	$(MAKE) --no-print-directory build
	$(JAVA) $(CHAOS_JAVA_OPTS) -cp '$(FTEST_CLASSES):target/connectors/lib/*:target/connectors/ftest-lib/*' \
		io.connectors.functional.chaos.ChaosMain $(if $(ONLY),--only '$(ONLY)')

## new-source: a new source module, connectors-sources/NAME, that builds at once and whose failing tests say what to
##             write: make new-source NAME=<type>. See docs/DEVELOPING.md
new-source:
	@$(JAVA) connectors-framework/scaffold/src/main/java/io/connectors/scaffold/NewSource.java $(NAME)

## docker-check: offline checks of docker/ with the tools installed (docker compose or docker-compose, shellcheck,
##               dockerfile-utils, node); a missing tool is skipped with a message. Builds and starts nothing; not in
##               CI. DockerConfigTest and DockerfileBuildTest (functional-tests) run in make test. See docs/docker.md.
.PHONY: docker-check
docker-check:
	@set -e; ran=0; skipped=0; \
	if docker compose version >/dev/null 2>&1; then \
	  echo "docker compose config --quiet: docker/compose.yml"; docker compose -f docker/compose.yml config --quiet; ran=$$((ran+1)); \
	elif command -v docker-compose >/dev/null 2>&1; then \
	  echo "docker-compose config --quiet: docker/compose.yml"; docker-compose -f docker/compose.yml config --quiet; ran=$$((ran+1)); \
	else echo "skipped: docker/compose.yml (neither docker compose nor docker-compose is installed)"; skipped=$$((skipped+1)); fi; \
	if command -v dockerfile-utils >/dev/null 2>&1; then \
	  echo "dockerfile-utils lint: docker/Dockerfile"; dockerfile-utils lint docker/Dockerfile; ran=$$((ran+1)); \
	else echo "skipped: docker/Dockerfile (dockerfile-utils is not installed: npm install -g dockerfile-utils)"; skipped=$$((skipped+1)); fi; \
	if command -v shellcheck >/dev/null 2>&1; then \
	  echo "shellcheck: docker/healthcheck docker/postgresql/*.sh"; shellcheck docker/healthcheck docker/postgresql/*.sh; ran=$$((ran+1)); \
	else echo "skipped: shell scripts (shellcheck is not installed)"; skipped=$$((skipped+1)); fi; \
	if command -v node >/dev/null 2>&1; then \
	  echo "node --check: docker/mongodb/*.js"; for f in docker/mongodb/*.js; do node --check "$$f"; done; ran=$$((ran+1)); \
	else echo "skipped: docker/mongodb/*.js (node is not installed)"; skipped=$$((skipped+1)); fi; \
	echo "docker-check: $$ran check(s) passed, $$skipped skipped; the image was not built and the stack not started"

clean:
	$(MVN) $(MVN_FLAGS) -q clean
	rm -rf target
