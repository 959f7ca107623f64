#!/bin/sh
# Leerlus restore: a backup made by deploy/backup.sh into an EMPTY database and an empty folder.
#
#   deploy/restore.sh RESERVEKOPIE CASUSMAP
#
# The target database is named by the libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE,
# PGPASSWORD); it must exist and hold no tables, and CASUSMAP must be empty or absent: a restore
# never mixes with data that is already there. The checksums are verified first; the database is
# restored in one transaction (all or nothing). Afterwards run `leerlus ingest` once with the
# restored folder: it adds a case whose file was written while the backup ran, and `leerlus
# doctor` then reports no differences.
set -eu

if [ "$#" -ne 2 ]; then
    echo "gebruik: $0 RESERVEKOPIE CASUSMAP" >&2
    exit 2
fi
backup=$1
content=$2
: "${PGDATABASE:?fout: zet PGDATABASE (en zo nodig PGHOST, PGUSER, PGPASSWORD)}"

for part in database.dump casussen.tar.gz SHA256SUMS; do
    if [ ! -f "$backup/$part" ]; then
        echo "fout: '$backup/$part' ontbreekt; is dit een reservekopie van deploy/backup.sh?" >&2
        exit 2
    fi
done
if ! (cd "$backup" && sha256sum --check --quiet SHA256SUMS); then
    echo "fout: de controlegetallen van '$backup' kloppen niet; de reservekopie is beschadigd" >&2
    exit 2
fi
tables=$(psql --no-psqlrc --tuples-only --no-align --command \
    "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
if [ "$tables" != "0" ]; then
    echo "fout: database '$PGDATABASE' is niet leeg ($tables tabellen); herstel alleen in een lege database" >&2
    exit 2
fi
if [ -d "$content" ] && [ -n "$(ls -A "$content")" ]; then
    echo "fout: casusmap '$content' is niet leeg; herstel alleen in een lege map" >&2
    exit 2
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$PGDATABASE" \
    "$backup/database.dump"
mkdir -p "$content"
tar -C "$content" -xzf "$backup/casussen.tar.gz"
echo "hersteld: database '$PGDATABASE' en casusmap '$content'"
