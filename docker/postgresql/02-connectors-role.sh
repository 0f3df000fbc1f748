#!/usr/bin/env bash
# The read-only role the connectors daemon logs in with (docker/connectors.yml: user connectors, password
# ${PG_PASSWORD}): CONNECT on the database, USAGE on schema shop, SELECT on its tables, nothing more (see
# docs/sources/postgresql.md). Run by the postgres image on the first start, after 01-shop.sql; the password comes from
# PG_PASSWORD in the container's environment (docker/compose.yml), never from a file.
: "${PG_PASSWORD:?PG_PASSWORD must be set: the password of the connectors role}"

# \getenv reads the password inside psql: it is never on a command line.
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-shop}" <<'SQL'
\getenv password PG_PASSWORD
CREATE ROLE connectors LOGIN PASSWORD :'password';
GRANT CONNECT ON DATABASE :"DBNAME" TO connectors;
GRANT USAGE ON SCHEMA shop TO connectors;
GRANT SELECT ON ALL TABLES IN SCHEMA shop TO connectors;
ALTER DEFAULT PRIVILEGES IN SCHEMA shop GRANT SELECT ON TABLES TO connectors;
SQL
