#!/bin/sh
# One-shot job `temporal-schema` of docker-compose.yml (image temporalio/admin-tools). Creates the
# two PostgreSQL databases Temporal Server uses and brings their schemas to the version that this
# admin-tools image ships, so the server image of the same TEMPORAL_VERSION finds them ready.
#
# Safe on every `docker compose up`: an existing database is kept, the version tables are set up
# only once, and update-schema applies only the versions not yet applied; raising TEMPORAL_VERSION
# therefore migrates the schema before the newer server starts.
#
# temporal-sql-tool reads its connection from SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and
# SQL_PASSWORD (set in docker-compose.yml), so the password never appears in a process list.
set -eu

for pair in temporal:postgresql/v12/temporal temporal_visibility:postgresql/v12/visibility; do
  database=${pair%%:*}
  schema=${pair#*:}
  echo "setup-schema: database ${database}, embedded schema ${schema}"
  temporal-sql-tool --db "$database" create-database
  temporal-sql-tool --db "$database" setup-schema --version 0.0
  temporal-sql-tool --db "$database" update-schema --schema-name "$schema"
done
echo "setup-schema: both databases are at the latest schema version"
