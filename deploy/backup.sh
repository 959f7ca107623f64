#!/bin/sh
# Leerlus backup: the PostgreSQL database and the case folder, into one new folder.
#
#   deploy/backup.sh CASUSMAP DOELMAP
#
# The database is named by the usual libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE,
# PGPASSWORD or ~/.pgpass). The database goes first, then the files: the files are the source of
# the cases, so a case written in between is in the file archive and `leerlus ingest` after a
# restore adds it; the other order could lose it. What people made in Leerlus (signals, saved
# searches, review decisions, obligations) is only in the database, consistent to one moment.
# Writes DOELMAP/leerlus-<UTC time>/ with database.dump (pg_dump custom format), casussen.tar.gz
# and SHA256SUMS, and prints that folder.
set -eu

if [ "$#" -ne 2 ]; then
    echo "gebruik: $0 CASUSMAP DOELMAP" >&2
    exit 2
fi
content=$1
target=$2
if [ ! -d "$content" ]; then
    echo "fout: casusmap '$content' bestaat niet" >&2
    exit 2
fi
: "${PGDATABASE:?fout: zet PGDATABASE (en zo nodig PGHOST, PGUSER, PGPASSWORD)}"

folder="$target/leerlus-$(date -u +%Y%m%dT%H%M%SZ)"
if [ -e "$folder" ]; then
    echo "fout: '$folder' bestaat al; probeer het over een seconde opnieuw" >&2
    exit 2
fi
mkdir -p "$folder.tmp"
trap 'rm -rf "$folder.tmp"' EXIT

pg_dump --format=custom --no-owner --no-privileges --file="$folder.tmp/database.dump"
tar -C "$content" -czf "$folder.tmp/casussen.tar.gz" .
(cd "$folder.tmp" && sha256sum database.dump casussen.tar.gz > SHA256SUMS)
mv "$folder.tmp" "$folder"
trap - EXIT
echo "$folder"
