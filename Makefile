# The two set-up commands are `make run` and `make test`; see README.md.
MVN ?= mvn
MVN_FLAGS ?= -B

.PHONY: build run test sync sources check docs clean chaos new-source

## build: compile and assemble the distribution (target/connectors/lib + bin/connectors), no tests; prints the
##        result, not Maven's log (kept in target/build.log, its end printed when the build fails). Then writes the
##        class-data-sharing archive the launcher starts faster with (target/connectors/connectors.jsa).
build:
	@mkdir -p target
	@start=$$(date +%s); \
	if $(MAKE) --no-print-directory maven-build > target/build.log 2>&1; then \
	  echo "Built in $$(( $$(date +%s) - start )) s: target/connectors (Maven's log: target/build.log)"; \
	else \
	  tail -n 80 target/build.log; echo "The build failed; Maven's whole log: target/build.log" >&2; exit 1; \
	fi
	@$(MAKE) --no-print-directory cds

## maven-build: the Maven build itself, with its whole log (make build runs it quietly; so does docker/Dockerfile)
.PHONY: maven-build
maven-build:
	$(MVN) $(MVN_FLAGS) -DskipTests install

## cds: the class-data-sharing archive of the classes a CLI command loads, from one training run (`status` against an
##      address where nothing answers); the launcher uses it when it matches the JVM and class path, else ignores it
.PHONY: cds
cds:
	@rm -f target/connectors/connectors.jsa target/connectors/connectors.jsa.tmp
	@printf 'elasticsearch:\n  host: "http://127.0.0.1:9"\nconnectors: []\n' > target/cds-training.yml
	@CONNECTORS_CDS_DUMP=target/connectors/connectors.jsa.tmp ./bin/connectors -c target/cds-training.yml status \
	  > target/cds-training.log 2>&1 || true
	@if [ -s target/connectors/connectors.jsa.tmp ]; then mv target/connectors/connectors.jsa.tmp target/connectors/connectors.jsa; \
	  else echo "No class-data-sharing archive (see target/cds-training.log): commands start without it"; fi

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

## dist: a release that runs with only a Java 17 runtime (no Maven, no checkout): target/connectors-<version>.tar.gz
##       holding bin/connectors, lib/ (the runtime and every source), the example config.yml, README.md and docs/
VERSION := $(shell sed -n 's:^  <version>\(.*\)</version>$$:\1:p' pom.xml | head -n 1)
DIST_NAME := connectors-$(VERSION)
.PHONY: dist dist-package
dist: build
	@$(MAKE) --no-print-directory dist-package

## dist-package: the tarball from what `make build` assembled (used by dist, and by DistTarballIT)
dist-package:
	@test -n "$$(ls target/connectors/lib 2>/dev/null)" || { echo "no target/connectors/lib: run make build" >&2; exit 2; }
	@rm -rf target/dist && mkdir -p target/dist/$(DIST_NAME)/bin target/dist/$(DIST_NAME)/lib
	@cp bin/connectors target/dist/$(DIST_NAME)/bin/
	@cp target/connectors/lib/*.jar target/dist/$(DIST_NAME)/lib/
	@cp -R config.yml README.md docs target/dist/$(DIST_NAME)/
	@tar -C target/dist -czf target/$(DIST_NAME).tar.gz $(DIST_NAME)
	@echo "target/$(DIST_NAME).tar.gz ($$(du -h target/$(DIST_NAME).tar.gz | cut -f1)): unpack it anywhere and run bin/connectors (docs/OPERATIONS.md, \"Installing a release\")"

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
